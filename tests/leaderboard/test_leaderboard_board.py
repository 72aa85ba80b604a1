"""The leaderboard: grouping by data, ranking, the columns, the verdict sentence, the terminal
table and the CLI, and that a hosted owner sees only its own runs."""
from __future__ import annotations

import json
import math

import pytest
import sacrebleu

from conftest import run_cli
from leaderboard_runs import fake_run, labelled
from studio.leaderboard import board, board_text
from studio.leaderboard.scores import RowScores
from studio.leaderboard.verdict import decide
from studio.runs import Registry

A_RIGHT = set(range(0, 180))                          # 90%: 155 shared + 25 only A
B_RIGHT = set(range(0, 155)) | set(range(180, 185))   # 80%: 155 shared + 5 only B


def exact_p(b: int, c: int) -> float:
    n = b + c
    return min(1.0, 2 * sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2 ** n)


@pytest.fixture
def registry(tmp_path):
    return Registry(tmp_path / "ws")


def test_runs_on_the_same_data_are_ranked_with_intervals_and_a_verdict(registry):
    weak = fake_run(registry, "tiny-bert", labelled(200, B_RIGHT), parameters=4_000_000,
                    latency_ms=1.5, before=labelled(200, set(range(100))))
    strong = fake_run(registry, "minilm-l6", labelled(200, A_RIGHT), parameters=22_000_000,
                      train_seconds=42.0, sps=88.5, latency_ms=3.25,
                      before=labelled(200, set(range(100))))
    other = fake_run(registry, "other-data", labelled(20, set(range(16))), fingerprint="e" * 64)
    fake_run(registry, "failed", labelled(200, set(range(200))), status="failed")
    fake_run(registry, "no-validation", [])

    groups = board(registry)
    assert [[e.run_id for e in g.entries] for g in groups] == [[other], [strong, weak]]
    group = groups[1]
    assert (group.fingerprint, group.task, group.metric, group.data) == \
        ("f" * 64, "classification", "accuracy", "reviews.csv")
    best, second = group.entries
    assert best.best and not second.best
    assert best.score.value == pytest.approx(90.0) and second.score.value == pytest.approx(80.0)
    # 95% interval of 90% on 200 rows: about +-4.2 points (normal approximation).
    assert best.score.low == pytest.approx(90 - 1.96 * math.sqrt(90 * 10 / 200), abs=1.0)
    assert best.score.high == pytest.approx(min(100.0, 90 + 1.96 * math.sqrt(90 * 10 / 200)),
                                            abs=1.0)
    assert best.gain == pytest.approx(40.0) and second.gain == pytest.approx(30.0)
    assert (best.parameters, best.train_seconds, best.samples_per_second, best.latency_ms) == \
        (22_000_000, 42.0, 88.5, 3.25)

    v = group.verdict
    assert v.code == "beats"
    assert (v.params["winner"], v.params["loser"], v.params["n"]) == ("minilm-l6", "tiny-bert",
                                                                     200)
    assert (v.params["a_only"], v.params["b_only"]) == (25, 5)
    assert float(v.params["p"]) == pytest.approx(exact_p(25, 5), rel=1e-2)
    assert v.params["diff"] == "10.0"
    low, high = float(v.params["low"]), float(v.params["high"])
    assert 4 < low < 10 < high < 16
    assert v.message == (f"minilm-l6 beats tiny-bert by 10.0 points (95% CI {v.params['low']} "
                         f"to {v.params['high']}; McNemar p = {v.params['p']}, 200 rows).")
    assert group.note is None                         # 200 rows: no "wide interval" note
    assert groups[0].verdict is None and groups[0].note.code == "few_rows_classification"


def test_a_small_gap_is_not_significant():
    base = set(range(150))
    a = RowScores("accuracy", [str(i) for i in range(200)],
                  [100.0 if i in base | set(range(150, 156)) else 0.0 for i in range(200)])
    b = RowScores("accuracy", [str(i) for i in range(200)],
                  [100.0 if i in base | set(range(160, 164)) else 0.0 for i in range(200)])
    v = decide("A", "B", a, b)
    assert v.code == "not_significant"
    assert float(v.params["p"]) == pytest.approx(exact_p(6, 4), rel=1e-2)
    assert v.message.startswith("A scores 1.0 points above B, but the difference is not "
                                "significant (95% CI ")
    assert float(v.params["low"]) < 0 < float(v.params["high"])
    assert decide("A", "B", a, a).code == "same"
    c = RowScores("accuracy", ["x", "y"], [100.0, 0.0])
    assert decide("A", "C", a, c).code == "no_shared_rows"


def test_generation_runs_are_scored_by_sentence_chrf(registry):
    refs = [f"WORD{i}" for i in range(8)]
    good = [{"prompt": f"w{i}", "reference": r, "generated": r} for i, r in enumerate(refs)]
    bad = [{"prompt": f"w{i}", "reference": r, "generated": r[:2].lower()}
           for i, r in enumerate(refs)]
    fake_run(registry, "t5-good", good, task="text2text", model="tiny-t5")
    fake_run(registry, "t5-bad", bad, task="text2text", model="tiny-t5")
    (group,) = board(registry)
    assert group.metric == "chrf"
    expected = sum(sacrebleu.sentence_chrf(g["generated"], [g["reference"]]).score
                   for g in bad) / 8
    assert [e.label for e in group.entries] == ["t5-good", "t5-bad"]
    assert group.entries[0].score.value == pytest.approx(100.0)
    assert group.entries[1].score.value == pytest.approx(expected)
    assert group.verdict.code == "beats" and group.verdict.params["test"] == "paired bootstrap"
    assert group.note.code == "few_rows_generation" and group.note.params == {"n": 8}
    assert "raise train.generation_samples" in group.note.message


def test_names_are_made_unique_and_the_text_table_reads(registry):
    a = fake_run(registry, "", labelled(40, set(range(30))))
    b = fake_run(registry, "", labelled(40, set(range(20))))
    (group,) = board(registry)
    assert [e.label for e in group.entries] == [f"tiny-bert ({a[-6:]})", f"tiny-bert ({b[-6:]})"]
    text = board_text([group])
    lines = text.splitlines()
    assert lines[0].startswith("reviews.csv (classification, data ffffffffffff): accuracy")
    assert lines[2].startswith("*") and a in lines[2] and "75.0 (" in lines[2]
    assert b in lines[3] and "50.0 (" in lines[3]
    assert group.verdict.message in text
    assert board_text([]).startswith("No finished run with validation results yet")


def test_hosted_owner_sees_only_its_own_runs(registry):
    mine = fake_run(registry, "mine", labelled(40, set(range(30))), owner="alice")
    fake_run(registry, "theirs", labelled(40, set(range(35))), owner="bob")
    (group,) = board(registry, owner="alice")
    assert [e.run_id for e in group.entries] == [mine]
    assert group.verdict is None
    assert board(registry, owner="carol") == []
    assert len(board(registry)[0].entries) == 2       # local mode: every run


@pytest.mark.heavy
def test_cli_prints_the_leaderboard_as_text_and_json(registry):
    fake_run(registry, "minilm-l6", labelled(200, A_RIGHT))
    fake_run(registry, "tiny-bert", labelled(200, B_RIGHT))
    ws = str(registry.workspace)
    out = run_cli("leaderboard", "--json", "--workspace", ws, timeout=120)
    assert out.returncode == 0, out.stderr
    (group,) = json.loads(out.stdout)
    assert [r["label"] for r in group["runs"]] == ["minilm-l6", "tiny-bert"]
    assert group["runs"][0]["best"] and group["runs"][0]["score"] == pytest.approx(90.0)
    assert group["runs"][0]["low"] < 90 < group["runs"][0]["high"]
    assert group["verdict"]["code"] == "beats"
    text = run_cli("leaderboard", "--workspace", ws, timeout=120)
    assert text.returncode == 0 and "minilm-l6 beats tiny-bert by 10.0 points" in text.stdout
