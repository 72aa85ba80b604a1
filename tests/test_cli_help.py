"""`python -m studio --help` and every verb's `--help` print their help (the leaderboard's
"95% intervals" once made argparse fail with "%i format: a real number is required")."""
import argparse

import pytest

from conftest import run_cli
from studio.cli import build_parser


def verbs() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.heavy
def test_top_level_help_runs_as_a_user_types_it():
    out = run_cli("--help")
    assert out.returncode == 0, out.stderr
    assert "leaderboard" in out.stdout and "95% intervals" in out.stdout


@pytest.mark.parametrize("verb", sorted(verbs()))
def test_every_verb_formats_its_help(verb):
    text = verbs()[verb].format_help()  # what `python -m studio VERB --help` prints
    assert verb in text and "usage:" in text


@pytest.mark.heavy
def test_a_verb_help_from_the_command_line():
    out = run_cli("export", "--help")
    assert out.returncode == 0, out.stderr
    assert "--verify" in out.stdout
