"""Two tiny runs trained on the same data: the evaluation records its latency, the leaderboard
ranks both, and the side-by-side view's disagreements equal those recomputed here from the
runs' own predictions files."""
from __future__ import annotations

import json

import pytest

from helpers import make_job, train_in_process
from studio.leaderboard import board, compare
from studio.runfolder import RunFolder


def predictions(run_dir) -> dict[str, dict]:
    """The run's validation predictions by key, read straight from its file."""
    path = RunFolder(run_dir).outputs_file("predictions", "after")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {r["key"]: r for r in rows}


@pytest.mark.heavy
def test_two_trained_runs_rank_and_disagree_as_their_files_say(data_dir, tmp_path):
    ws = tmp_path / "ws"
    dirs = []
    for lr in (1e-3, 1e-5):
        code, run_dir, registry = train_in_process(make_job(
            data_dir / "sentiment.csv", "tiny-bert", train__epochs=1,
            train__learning_rate=lr, name=f"bert-lr{lr:g}"), ws)
        assert code == 0
        dirs.append(run_dir)
    timing = RunFolder(dirs[0]).metrics()["after"]["timing"]
    assert timing["examples"] == 24 and timing["latency_ms"] > 0
    assert timing["latency_ms"] == pytest.approx(timing["seconds"] * 1000 / 24, rel=0.05)

    (group,) = board(registry)
    assert {e.run_id for e in group.entries} == {d.name for d in dirs}
    assert all(e.score.n == 24 and e.latency_ms and e.parameters for e in group.entries)
    assert group.entries[0].score.value >= group.entries[1].score.value
    assert group.verdict is not None and group.verdict.params["n"] == 24

    a, b = predictions(dirs[0]), predictions(dirs[1])
    assert set(a) == set(b)                      # one split: the same validation rows
    expected = {k for k in a if (a[k]["label"] == a[k]["predicted"]) !=
                (b[k]["label"] == b[k]["predicted"])}
    cmp = compare(registry, dirs[0].name, dirs[1].name)
    assert {r["key"] for r in cmp.disagreements} == expected
    for r in cmp.disagreements:
        assert (r["a_predicted"], r["b_predicted"]) == (a[r["key"]]["predicted"],
                                                        b[r["key"]]["predicted"])
    assert ("train.learning_rate", 1e-3, 1e-5) in cmp.config_diff
