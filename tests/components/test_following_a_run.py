"""Following a run from its events: what the run is preparing before its first step, an ETA
that is not fooled by the first step's warm-up, charts that start empty for each run and
carry every series from their first table, and the Runs table's columns and notes."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from components import charts, data_step, live, model_step, runs_step
from studio.events import EventWriter
from studio.runs import Registry, RunFolder


def tail_of(events) -> dict:
    tail = live.new_tail("r")
    for e in events:
        live.apply_event(tail, e)
    return tail


@pytest.mark.parametrize("stage, english, chinese", [
    (None, "Preparing: starting, reading the data and loading the model", "正在启动、读取数据并加载模型"),
    ("tokenizing", "Preparing: tokenizing the data…", "准备中：正在对数据分词……"),
    ("evaluating", "Preparing: evaluating the base model before training…", "训练前先评估基础模型"),
    ("training", "Preparing: the first training steps…", "准备中：正在进行最初的训练步……"),
])
def test_before_the_first_step_the_line_says_what_the_run_prepares(stage, english, chinese):
    events = [{"type": "start", "total_steps": 4}] + (
        [{"type": "stage", "stage": stage}] if stage else [])
    tail = tail_of(events)
    assert english in live.progress_html(tail, "en")
    assert chinese in live.progress_html(tail, "zh-CN")
    assert "Step 0/" not in live.progress_html(tail, "en")  # never "Step 0/4 · - samples/s"


def test_the_eta_shown_is_the_one_the_events_carry():
    """The page does not recompute the ETA: it shows the latest log event's (studio.pace wrote
    it), so the page and `python -m studio runs` say the same time; none before it is known."""
    start = {"type": "start", "total_steps": 40}
    first = {"type": "log", "step": 1, "elapsed": 100.0, "eta": None, "loss": 1.0,
             "epoch": 0.1, "samples_per_second": 0.16}
    tail = tail_of([start, first])
    assert live.eta_seconds(tail) is None
    assert "ETA estimating…" in live.progress_html(tail, "en")
    tail = tail_of([start, first, {**first, "step": 10, "elapsed": 109.0, "eta": 30.0,
                                   "samples_per_second": 16.04321}])
    assert live.eta_seconds(tail) == pytest.approx(30.0)
    line = live.progress_html(tail, "en")
    assert "ETA 30 s" in line and "16 samples/s" in line and "50m" not in line
    assert "预计剩余 30 秒" in live.progress_html(tail, "zh-CN")


def test_after_the_last_step_the_line_says_it_evaluates_then_saves():
    start = {"type": "start", "total_steps": 2}
    log = {"type": "log", "step": 2, "elapsed": 2.0, "loss": 1.0, "epoch": 1.0}
    tail = tail_of([start, log, {"type": "stage", "stage": "final_eval"}])
    assert "Step 2/2" in live.progress_html(tail, "en")
    assert "evaluating the trained model…" in live.progress_html(tail, "en")


def test_a_new_run_starts_with_empty_charts():
    assert live.plot_value(live.new_tail("next"), "loss") is None
    assert live.plot_value(live.new_tail("next"), "metric") is None


def test_every_loss_series_is_in_the_first_table_in_the_page_language():
    tail = tail_of([{"type": "start", "total_steps": 10, "validation_rows": 5},
                    {"type": "eval", "phase": "before", "step": 0,
                     "metrics": {"eval_loss": 0.7, "accuracy": 0.5, "macro_f1": 0.3}}])
    loss = live.plot_value(tail, "loss", "zh-CN")
    assert list(dict.fromkeys(loss["series"])) == ["训练", "验证"]  # train first: its colour
    assert loss["step"].max() == 10  # one step only so far: the axis spans the run
    metric = live.plot_value(tail, "metric", "en")
    assert list(dict.fromkeys(metric["series"])) == ["accuracy", "macro-F1"]


def test_a_one_epoch_run_draws_its_metric_as_a_line():
    """Before (step 0) and after (the last step) training: two points, a line; the final
    evaluation replaces the one made at the same step during training."""
    tail = tail_of([{"type": "start", "total_steps": 12},
                    {"type": "eval", "phase": "before", "step": 0,
                     "metrics": {"accuracy": 0.5, "perplexity": 900.0, "bleu": 1.0}},
                    {"type": "eval", "phase": "during", "step": 12,
                     "metrics": {"eval_loss": 0.6, "accuracy": 0.7}},
                    {"type": "eval", "phase": "after", "step": 12,
                     "metrics": {"accuracy": 0.75, "eval_loss": 0.59, "bleu": 2.0}}])
    points = {(p["series"], p["step"]): p["value"] for p in tail["metric"]}
    assert points == {("accuracy", 0): 0.5, ("accuracy", 12): 0.75, ("bleu", 0): 1.0,
                      ("bleu", 12): 2.0}  # perplexity: not a score next to them
    assert [p for p in tail["loss"] if p["step"] == 12] == [
        {"step": 12, "value": 0.59, "series": "eval"}]


def test_chart_tables_pad_missing_series_with_empty_points():
    table = charts.curves([{"step": 3, "value": 1.0, "series": "eval"}], "en", ("train", "eval"))
    assert list(dict.fromkeys(table["series"])) == ["train", "eval"]
    assert math.isnan(table["value"][0])
    assert charts.curves([], "en") is None


def test_the_finished_line_names_metrics_as_words():
    tail = tail_of([{"type": "done", "metrics": {"accuracy": 0.95, "macro_f1": 0.9499,
                                                 "before_accuracy": 0.5, "steps": 36}}])
    assert live.status_text(tail, "en") == (
        "✔ Training finished. accuracy 0.9500, macro-F1 0.9499. Try the model in step 4.")
    assert "准确率 0.9500，宏 F1 0.9499" in live.status_text(tail, "zh-CN")


# ---- data and model steps ------------------------------------------------------------------

def test_length_bins_are_in_numeric_order():
    lengths = pd.Series([3, 5, 8, 12, 25, 34, 37, 40, 99, 140])
    names, counts = data_step.length_bins(lengths)
    assert names[:3] == ["0-19", "20-39", "40-59"] and names[-1] == "140-159"
    lows = [int(n.split("-")[0]) for n in names]
    assert lows == sorted(lows) and sum(counts) == len(lengths)
    update = data_step.chart(type("I", (), {"task": "chat", "labels": {}, "examples":
                                            pd.DataFrame({"text": ["a" * n for n in lengths]})}),
                             "zh-CN")
    assert update["sort"] == list(update["value"]["characters"])  # the bins' own order
    assert update["x_title"] == "长度（字符数）" and update["y_title"] == "样本数"


def test_every_repeated_row_is_counted_when_only_some_are_listed():
    from studio.data.problems import problem
    p = problem("duplicate", "excluded", list(range(2, 405)), 403)
    assert data_step.rows_text(p, "en") == " (rows 2, 3, 4, 5, 6 and 398 more)"
    assert data_step.rows_text(p, "zh-CN") == " (第 2, 3, 4, 5, 6 行，另有 398 行)"


def test_a_file_that_cannot_be_read_shows_no_empty_table():
    out = data_step.empty_result("en", "✖ broken")
    assert out["table"]["visible"] is False


def test_chinese_data_is_recognised():
    from studio.data.language import chinese
    assert chinese(pd.DataFrame({"text": ["这部电影很好看", "服务太慢了"] * 5}))
    assert not chinese(pd.DataFrame({"text": ["a fine film", "slow service"]}))
    mixed = pd.DataFrame({"prompt": ["Translate: good morning"] * 5, "response": ["早上好"] * 5})
    assert chinese(mixed)


def test_chinese_data_gets_a_chinese_capable_preset_or_says_which(monkeypatch):
    chinese_state = {"task": "chat", "valid": True, "chinese": True, "labels": []}
    from studio import hub
    from studio.models import suggest
    monkeypatch.setattr(hub, "hub_offline", lambda: False)
    assert suggest("chat", chinese=True) == "qwen2.5-0.5b-instruct"
    assert suggest("classification", chinese=True) == "bert-base-chinese"
    monkeypatch.setattr(hub, "hub_offline", lambda: True)  # offline: an offline preset
    offline = suggest("chat", chinese=True)
    assert offline in ("smollm2-135m", "tiny-gpt")
    note = model_step.language_note(chinese_state, offline, "zh-CN")
    assert "离线预设模型只懂英文" in note and "qwen2.5-0.5b-instruct" in note
    assert model_step.language_note({**chinese_state, "chinese": False}, offline, "en") == ""
    assert model_step.language_note(chinese_state, "qwen2.5-0.5b-instruct", "en") == ""


# ---- runs ------------------------------------------------------------------------------------

def test_runs_table_columns_do_not_follow_the_newest_run(tmp_path):
    from studio.config import JobConfig
    registry = Registry(tmp_path)
    cfg = JobConfig()
    cfg.data.train_file = "x.csv"
    old = registry.new_run(cfg, status="done")
    registry.update(old.id, metrics={"accuracy": 0.9, "macro_f1": 0.8, "eval_loss": 0.3},
                    task="classification", method="full")
    new = registry.new_run(cfg, status="stopped")
    registry.update(new.id, metrics={"perplexity": 40.0, "eval_loss": 2.0}, task="chat",
                    method="lora", reason="Stopped on request; the model trained so far was "
                                          "saved.")
    table = runs_step.history(registry, "en")
    assert list(table.columns) == ["run", "status", "accuracy", "macro-F1", "eval loss",
                                   "task", "model", "method", "created", "note"]
    zh = runs_step.history(registry, "zh-CN")
    assert list(zh.columns)[2:5] == ["准确率", "宏 F1", "验证损失"]
    row = zh[zh["任务"] == new.id].iloc[0]
    assert row["方法"] == "LoRA" and row["类型"] == "对话" and "已停止" in row["说明"]
    assert "Stopped" not in row["说明"]  # the engine's English sentence, said in Chinese


def test_engine_writes_what_it_prepares(tmp_path):
    """The stage events the progress line reads, as the engine writes them."""
    folder = RunFolder(tmp_path)
    w = EventWriter(folder.events_file)
    for stage in ("tokenizing", "evaluating"):
        w.emit("stage", stage=stage)
    tail, _ = live.advance(live.new_tail("r"), folder)
    assert tail["stage"] == "evaluating"
