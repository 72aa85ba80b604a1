"""The leaderboard and side-by-side handlers of the Runs step: what the page shows, in
English and Chinese, and that a hosted owner gets only its own runs."""
from __future__ import annotations

import pytest

from components import compare_view, leaderboard_view
from leaderboard_runs import fake_run, labelled
from studio.runs import Registry

A_RIGHT = set(range(0, 180))
B_RIGHT = set(range(0, 155)) | set(range(180, 185))


@pytest.fixture
def registry(tmp_path):
    reg = Registry(tmp_path / "ws")
    fake_run(reg, "tiny-bert", labelled(200, B_RIGHT), parameters=4_400_000, latency_ms=1.25,
             before=labelled(200, set(range(100))), owner="alice")
    fake_run(reg, "minilm-l6", labelled(200, A_RIGHT), parameters=22_700_000, latency_ms=3.5,
             lr=1e-4, before=labelled(200, set(range(100))), owner="alice")
    fake_run(reg, "someone-else", labelled(200, set(range(199))), owner="bob")
    return reg


def test_the_table_and_the_verdict_in_both_languages(registry):
    out = leaderboard_view.show(registry, None, "en", owner="alice")
    frame = out["table"]["value"]
    assert len(out["table"]["column_widths"]) == len(frame.columns)
    assert list(frame.columns) == ["run", "accuracy %", "95% interval", "gain over base",
                                   "macro-F1", "train time (s)", "samples/s", "parameters",
                                   "ms per example", "advisor", "run id"]
    assert frame["run"].tolist() == ["★ minilm-l6", "tiny-bert"]
    assert frame["accuracy %"].tolist() == [90.0, 80.0]
    assert frame["gain over base"].tolist() == [40.0, 30.0]
    assert frame["parameters"].tolist() == ["22.7M", "4.4M"]
    assert frame["ms per example"].tolist() == [3.5, 1.25]
    low, high = (float(x) for x in frame["95% interval"][0].split(" – "))
    assert low < 90 < high
    assert "someone-else" not in frame["run"].tolist()
    assert out["verdict"].startswith("✔ minilm-l6 beats tiny-bert by 10.0 points (95% CI ")
    assert "McNemar p = " in out["verdict"] and "200 rows" in out["verdict"]
    assert out["run"]["value"].endswith(frame["run id"][0]) and len(frame["run id"][0]) == 12
    assert out["ids"] == [out["run"]["value"], registry.list(owner="alice")[-1].id]

    zh = leaderboard_view.show(registry, None, "zh-CN", owner="alice")
    assert list(zh["table"]["value"].columns)[:3] == ["任务", "准确率 %", "95% 区间"]
    assert "minilm-l6 比 tiny-bert 高 10.0 分（95% 置信区间 " in zh["verdict"]
    assert "麦克尼马尔检验 p = " in zh["verdict"]

    nobody = leaderboard_view.show(registry, None, "en", owner="carol")
    assert nobody["table"] is None and "No finished run" in nobody["empty"]


def test_side_by_side_lists_the_disagreeing_rows(registry):
    runs = {r.name: r.id for r in registry.list(owner="alice")}
    picked = compare_view.choices(registry, None, None, owner="alice")
    assert (picked["a"]["value"], picked["b"]["value"]) == (runs["minilm-l6"], runs["tiny-bert"])
    assert {v for _, v in picked["a"]["choices"]} == set(runs.values())

    out = compare_view.run_compare(registry, runs["minilm-l6"], runs["tiny-bert"], None, "en",
                                   owner="alice")
    assert all(out[k]["visible"] for k in ("rows", "diff", "metrics"))
    rows = out["rows"]["value"]
    assert len(rows) == 30                     # 25 only minilm right, 5 only tiny-bert
    assert rows["right"].value_counts().to_dict() == {"minilm-l6": 25, "tiny-bert": 5}
    assert out["rows_note"].startswith("ℹ 30 of the 200 validation rows")
    frame = out["diff"]["value"]
    diff = dict(zip(frame["setting"], zip(frame["minilm-l6"], frame["tiny-bert"])))
    assert diff["Learning rate"] == ("0.0001", "5e-05")
    assert out["metrics"]["value"].iloc[-1].tolist() == ["ms per example", "3.5", "1.25"]
    assert set(out["curves"]["series"]) == {"minilm-l6 · train", "minilm-l6 · eval",
                                           "tiny-bert · train", "tiny-bert · eval"}
    only = compare_view.run_compare(registry, runs["minilm-l6"], runs["tiny-bert"], "positive",
                                    "en", owner="alice")["rows"]["value"]
    assert set(only["label"]) == {"positive"} and 0 < len(only) < 30

    theirs = next(r.id for r in registry.list(owner="bob"))
    refused = compare_view.run_compare(registry, runs["minilm-l6"], theirs, None, "en",
                                       owner="alice")
    assert refused["summary"] == f"✖ No run '{theirs}'; see the run list."
    # No table with placeholder headers (1 2 3) where there is nothing to show.
    assert not any(refused[k]["visible"] for k in ("rows", "diff", "metrics"))
    unpicked = compare_view.run_compare(registry, None, None, None, "en", owner="alice")
    assert not any(unpicked[k]["visible"] for k in ("rows", "diff", "metrics"))
    assert theirs not in {v for _, v in picked["a"]["choices"]}


def test_export_and_use_hand_the_run_on():
    assert leaderboard_view.to_export("run-1", "en") == {
        "pick": ["run-1"], "message": "✔ Run run-1 is chosen in the Export panel below."}
    assert leaderboard_view.to_export(None, "en")["message"].startswith("ℹ Choose a run")


def test_a_click_on_a_row_chooses_its_run(registry):
    import gradio as gr
    out = leaderboard_view.show(registry, None, "en", owner="alice")
    frame, ids = out["table"]["value"], out["ids"]
    row = frame.iloc[1].tolist()
    evt = gr.SelectData(None, {"index": [1, 0], "value": row[0], "row_value": row})
    assert leaderboard_view.picked_row(ids, frame, evt) == {"run": ids[1]}
    stranger = gr.SelectData(None, {"index": [0, 0], "value": "x", "row_value": ["x", "zzz"]})
    assert leaderboard_view.picked_row(ids, frame, stranger) == {}


def test_keys_built_at_run_time_exist_in_both_languages():
    """Verdict codes and column names are looked up by a key made from an engine value."""
    import re
    from pathlib import Path
    from components.strings_en import EN
    from components.strings_zh import ZH
    verdict = Path(__file__).resolve().parents[2] / "studio" / "leaderboard" / "verdict.py"
    found = re.findall(r'Verdict\("(\w+)"', verdict.read_text())
    codes = {c for c in found if not c.endswith("_")} | {"few_rows_generation",
                                                         "few_rows_classification"}
    keys = {f"lb_verdict_{c}" for c in codes} | {"lb_how_mcnemar", "lb_how_bootstrap"}
    keys |= {f"lb_col_{c}" for c in leaderboard_view.COLUMNS if c != "score"}
    keys |= {"lb_col_score_accuracy", "lb_col_score_chrf"}
    assert {"lb_verdict_beats", "lb_verdict_level", "lb_verdict_same"} <= keys
    assert not sorted(keys - set(EN)) and not sorted(keys - set(ZH))
