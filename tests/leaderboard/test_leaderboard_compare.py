"""Two runs side by side: the config diff, the curves, and the disagreeing validation rows,
checked against the rows worked out here from the predictions each run was given."""
from __future__ import annotations

import pytest

from leaderboard_runs import fake_run, labelled
from studio.errors import RunError
from studio.leaderboard import compare
from studio.runs import Registry

A_RIGHT = set(range(0, 30)) | {35, 37}
B_RIGHT = set(range(5, 34))


@pytest.fixture
def registry(tmp_path):
    return Registry(tmp_path / "ws")


def test_disagreements_config_diff_metrics_and_curves(registry):
    rows_a, rows_b = labelled(40, A_RIGHT), labelled(40, B_RIGHT)
    a = fake_run(registry, "minilm", rows_a, model="minilm-l6", lr=1e-4, latency_ms=3.0)
    b = fake_run(registry, "bert", rows_b, model="tiny-bert", lr=5e-5)
    cmp = compare(registry, a, b)

    # Worked out from the rows themselves, not from the engine's scores.
    expected = {ra["text"]: (ra["label"], ra["predicted"], rb["predicted"])
                for ra, rb in zip(rows_a, rows_b)
                if (ra["label"] == ra["predicted"]) != (rb["label"] == rb["predicted"])}
    assert len(expected) == 11           # rows 0-4, 35, 37 only A; 30-33 only B
    assert {r["text"]: (r["label"], r["a_predicted"], r["b_predicted"])
            for r in cmp.disagreements} == expected
    assert {r["text"] for r in cmp.disagreements if r["right"] == "a"} == \
        {f"review number {i}" for i in (0, 1, 2, 3, 4, 35, 37)}
    assert cmp.shared_rows == 40
    assert cmp.labels == ["negative", "positive"]
    positives = cmp.rows("positive")
    assert positives and all(r["label"] == "positive" for r in positives)
    assert len(positives) == sum(1 for v in expected.values() if v[0] == "positive")
    assert len(cmp.rows(None)) == 11

    diff = {path: (x, y) for path, x, y in cmp.config_diff}
    assert diff == {"name": ("minilm", "bert"), "model.name": ("minilm-l6", "tiny-bert"),
                    "train.learning_rate": (1e-4, 5e-5)}       # the same fingerprint: not shown
    assert (cmp.a.label, cmp.b.label) == ("minilm", "bert")
    assert cmp.a.metrics["after"]["timing"]["latency_ms"] == 3.0
    assert [(p["series"], p["step"], p["value"]) for p in cmp.a.curves] == \
        [("train", 1, 0.9), ("train", 2, 0.7), ("eval", 2, 0.6)]


def test_recorded_fields_show_when_they_differ(registry):
    a = fake_run(registry, "one", labelled(10, {1}), fingerprint="a" * 64)
    b = fake_run(registry, "two", labelled(10, {1}), fingerprint="b" * 64)
    cmp = compare(registry, a, b)
    assert ("data.fingerprint", "a" * 64, "b" * 64) in cmp.config_diff
    assert cmp.disagreements == []


def test_generation_outputs_side_by_side_with_the_reference(registry):
    a_rows = [{"prompt": "p1", "reference": "HELLO", "generated": "HELLO"},
              {"prompt": "p2", "reference": "WORLD", "generated": "WORLD"},
              {"prompt": "p3", "reference": "SAME", "generated": "SAME"}]
    b_rows = [{"prompt": "p1", "reference": "HELLO", "generated": "HELP"},
              {"prompt": "p2", "reference": "WORLD", "generated": "xx"},
              {"prompt": "p3", "reference": "SAME", "generated": "SAME"}]
    a = fake_run(registry, "a", a_rows, task="chat", model="tiny-gpt")
    b = fake_run(registry, "b", b_rows, task="chat", model="tiny-gpt")
    rows = compare(registry, a, b).disagreements
    assert [(r["prompt"], r["reference"], r["a_generated"], r["b_generated"]) for r in rows] == \
        [("p2", "WORLD", "WORLD", "xx"), ("p1", "HELLO", "HELLO", "HELP")]   # largest gap first
    assert rows[0]["a_chrf"] == 100.0 and rows[0]["b_chrf"] < rows[1]["b_chrf"]


def test_another_owners_run_is_not_found(registry):
    mine = fake_run(registry, "mine", labelled(10, {1}), owner="alice")
    other = fake_run(registry, "mine-too", labelled(10, {2}), owner="alice")
    theirs = fake_run(registry, "theirs", labelled(10, {1}), owner="bob")
    assert compare(registry, mine, other, owner="alice").shared_rows == 10
    with pytest.raises(RunError) as hidden:
        compare(registry, mine, theirs, owner="alice")
    with pytest.raises(RunError) as missing:
        compare(registry, mine, "20260101-000000-nothing-000000000000", owner="alice")
    assert hidden.value.code == missing.value.code == "no_run"
    assert str(hidden.value) == f"No run '{theirs}'; see the run list."
    assert "bob" not in str(hidden.value) and "theirs" not in str(hidden.value).replace(
        theirs, "")
    with pytest.raises(RunError) as same:
        compare(registry, mine, mine, owner="alice")
    assert same.value.code == "same_run"
