"""The test tiers (tests/conftest.py): the default run skips the heavy, slow and browser tests;
their flag, --run-all or CI brings them back; a test that starts the app is heavy by itself."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = "tests/test_cli_help.py::test_a_verb_help_from_the_command_line"  # a cheap heavy test


def pytest_run(*args: str, ci: bool = False) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly",
                          "-p", "no:cacheprovider", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    return out.stdout + out.stderr


@pytest.mark.heavy  # four pytest runs: about 30 s here
def test_a_heavy_test_is_skipped_by_default_and_runs_with_its_flag_or_in_ci():
    assert "1 skipped" in (default := pytest_run(HEAVY)), default
    assert "heavy: runs in CI, or locally with --run-heavy or --run-all" in default
    for args, ci in (((HEAVY, "--run-heavy"), False), ((HEAVY, "--run-all"), False),
                     ((HEAVY,), True)):
        assert "1 passed" in (out := pytest_run(*args, ci=ci)), (args, ci, out)


def test_tests_that_start_the_app_are_heavy_without_a_marker_of_their_own():
    listed = pytest_run("--collect-only", "-m", "heavy", "tests/test_security.py")
    assert "test_page_says_hosted_mode_with_its_limits" in listed, listed  # uses app_server
    assert "test_auth_on_the_command_line_warns" not in listed  # a unit test stays quick
