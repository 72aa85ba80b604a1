"""A hosted studio's leaderboard and side-by-side endpoints, called the way an outsider would
(gradio_client): another owner's runs are never listed, and asking for them by id gives
nothing of theirs back."""
from __future__ import annotations

import json

import pytest

from hosted_app import client
from leaderboard_runs import fake_run, labelled
from studio.runs import Registry


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    ws = tmp_path_factory.mktemp("hosted-lb-ws")
    registry = Registry(ws)
    ids = [fake_run(registry, f"secret-run-{i}", labelled(40, set(range(20 + 10 * i))),
                    owner="someone-else") for i in range(2)]
    running = app_server(ws, "--hosted")
    yield running, ids


def test_foreign_runs_are_neither_listed_nor_compared(app):
    running, (a, b) = app
    c = client(running)
    listed = json.dumps(c.predict(None, "en", api_name="/leaderboard"), default=str)
    assert "secret-run" not in listed and a not in listed and "No finished run" in listed
    try:
        out = json.dumps(c.predict(a, b, None, "en", api_name="/compare_runs"), default=str)
    except Exception as e:  # noqa: BLE001 - refused before the handler: nothing returned
        out = str(e)
    out = out.replace(a, "<a>").replace(b, "<b>")   # the ids the caller sent may be echoed
    assert "secret-run" not in out and "review number" not in out
    assert "Learning rate" not in out
