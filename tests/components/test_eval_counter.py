"""The Train step counts evaluation rows with an ETA instead of a bare "evaluating the base
model" (16.6 minutes with nothing moving)."""
from __future__ import annotations

from components import live


def tail_of(events) -> dict:
    tail = live.new_tail("r")
    for e in events:
        live.apply_event(tail, e)
    return tail


BEFORE = [{"type": "start", "total_steps": 10, "validation_rows": 72},
          {"type": "stage", "stage": "evaluating"},
          {"type": "eval_progress", "phase": "before", "part": "loss", "done": 12, "total": 72,
           "eta_s": 40.0}]


def test_the_base_model_evaluation_shows_rows_and_time_left():
    tail = tail_of(BEFORE)
    assert "Evaluating the base model: 12 / 72 rows, about 40 s left" in \
        live.progress_html(tail, "en")
    assert "正在评估基础模型：12 / 72 行，约剩 40 秒" in live.progress_html(tail, "zh-CN")


def test_generation_counts_samples_and_says_estimating_before_a_batch_is_done():
    tail = tail_of(BEFORE + [{"type": "eval_progress", "phase": "before", "part": "generate",
                              "done": 0, "total": 8, "eta_s": None}])
    assert "Evaluating the base model: generating samples 0 / 8, estimating…" in \
        live.progress_html(tail, "en")


def test_the_counter_goes_when_the_evaluation_ends_and_comes_back_for_the_final_one():
    tail = tail_of(BEFORE + [{"type": "eval", "phase": "before", "step": 0, "metrics": {}},
                             {"type": "stage", "stage": "training"}])
    assert "rows" not in live.progress_html(tail, "en")
    tail = tail_of(BEFORE + [
        {"type": "stage", "stage": "training"},
        {"type": "log", "step": 10, "epoch": 1.0, "loss": 1.0, "elapsed": 5.0, "total_steps": 10},
        {"type": "stage", "stage": "final_eval"},
        {"type": "eval_progress", "phase": "after", "part": "generate", "done": 4, "total": 8,
         "eta_s": 65.0}])
    html = live.progress_html(tail, "en")
    assert "Evaluating the trained model: generating samples 4 / 8, about 1 min 05 s left" in html
    tail = tail_of(BEFORE + [{"type": "done", "metrics": {}, "elapsed": 1.0}])
    assert "rows" not in live.progress_html(tail, "en")  # an ended run counts nothing
