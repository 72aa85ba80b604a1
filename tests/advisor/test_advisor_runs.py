"""Each advisor finding from a real tiny run with the bad setting, trained in-process through
the engine; the findings are stored with the run (findings.json and `finding` events)."""
from __future__ import annotations

import pandas as pd
import pytest

from advisor_data import one_click
from conftest import toy_sentiment
from helpers import events_of, make_job, train_in_process
from studio.advisor import findings
from studio.advisor.report import stored
from studio.runfolder import RunFolder


def by_code(run_dir):
    return {f.code: f for f in findings(run_dir)}


def fast(**overrides):
    return {"train__batch_size": 8, "train__logging_steps": 1, **overrides}


def test_lr_x30_is_too_high_and_the_classifier_ignores_a_class(data_dir, workspace):
    # tiny-bert's rate is 1e-3; x30 makes the loss jump back above where it started
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   **fast(train__learning_rate=3e-2, train__max_steps=30))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    found = by_code(run_dir)
    high = found["lr_too_high_spikes"]
    assert high.suggestion == {"train.learning_rate": 3e-3}  # 30x the usual: back by 10x
    assert set(found["classes_ignored"].params["classes"]) <= {"positive", "negative"}
    # stored with the run: findings.json and one `finding` event each, before `done`
    assert [f.code for f in stored(RunFolder(run_dir))] == list(found)
    events = events_of(run_dir)
    assert events[-1]["type"] == "done"
    assert [e["code"] for e in events if e["type"] == "finding"] == list(found)
    assert "Learning rate 0.03 → 0.003" in one_click(registry, run_dir)["advice_message"]


def test_a_diverging_run_is_stopped_early_with_the_sentence(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   **fast(train__learning_rate=1e-1, train__warmup_ratio=0.0,
                          train__max_steps=40))
    code, run_dir, registry = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 1 and events[-1]["type"] == "failed"
    assert events[-1]["code"] == "diverged" and "training diverged" in events[-1]["reason"]
    assert max(e["step"] for e in events if e["type"] == "log") < 40  # not the whole run
    finding = next(e for e in events if e["type"] == "finding")
    assert finding["suggestion"] == {"train.learning_rate": 1e-2}
    assert registry.get(run_dir.name).reason == events[-1]["reason"]
    assert by_code(run_dir)["lr_too_high_rise"].suggestion == {"train.learning_rate": 1e-2}
    one_click(registry, run_dir)  # a failed run: its `finding` event is the advice


def test_a_loss_that_turns_nan_stops_the_run_with_the_sentence(data_dir, workspace,
                                                               monkeypatch):
    # NaN is what a too-high rate gives in half precision on a GPU; on this CPU in fp32,
    # with rates capped at 0.1 and gradients clipped, no allowed setting reaches it, so the
    # loss is made NaN from the fifth batch on, as an fp16 overflow makes it. The Trainer,
    # the live check, the events and the advice are the real ones.
    import torch
    real, calls = torch.nn.functional.cross_entropy, []

    def overflowing(*args, **kwargs):
        calls.append(1)
        loss = real(*args, **kwargs)
        return loss * float("nan") if len(calls) > 4 else loss
    monkeypatch.setattr(torch.nn.functional, "cross_entropy", overflowing)
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   **fast(train__learning_rate=1e-1, train__max_steps=40,
                          train__eval_before=False))
    code, run_dir, registry = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 1 and events[-1]["type"] == "failed"
    assert events[-1]["code"] == "diverged_nan"
    assert max(e["step"] for e in events if e["type"] == "log") < 10  # stopped at once
    nan = by_code(run_dir)["lr_too_high_nan"]
    assert "NaN" in nan.sentence and nan.params["lr"] == 1e-1
    assert nan.suggestion == {"train.learning_rate": 1e-2}
    assert registry.get(run_dir.name).reason == events[-1]["reason"]
    one_click(registry, run_dir)


def test_lr_divided_by_1000_is_flat_and_too_low(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   **fast(train__learning_rate=1e-6, train__max_steps=12,
                          train__eval_before=False))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    low = by_code(run_dir)["lr_too_low"]
    assert low.suggestion == {"train.learning_rate": 1e-3} and "barely moved" in low.sentence
    one_click(registry, run_dir)


@pytest.mark.heavy
def test_ten_times_the_epochs_on_a_small_noisy_file_overfits(data_dir, workspace, tmp_path):
    rows = toy_sentiment(40, seed=3)  # a quarter of the labels wrong: memorising them hurts
    for r in rows[1::4]:
        r["label"] = "negative" if r["label"] == "positive" else "positive"
    pd.DataFrame(rows).to_csv(tmp_path / "noisy.csv", index=False)
    cfg = make_job(tmp_path / "noisy.csv", "tiny-bert", "classification",
                   data__validation_file=str(data_dir / "sentiment_test.csv"),
                   train__learning_rate=3e-3, train__epochs=30, train__batch_size=8,
                   train__eval_before=False)
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    over = by_code(run_dir)["overfitting"]
    assert 1 <= over.suggestion["train.epochs"] < 30
    assert over.params["rise_pct"] > 5
    one_click(registry, run_dir)


def test_a_short_run_still_learning_asks_for_more_steps(data_dir, workspace):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                   **fast(train__learning_rate=3e-3, train__max_steps=16,
                          train__eval_strategy="no", train__eval_before=False,
                          train__generation_samples=0))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    assert by_code(run_dir)["still_learning_train"].suggestion == {"train.max_steps": 32}
    one_click(registry, run_dir)


def test_too_few_rows_for_full_fine_tuning(data_dir, workspace, tmp_path):
    pd.DataFrame(toy_sentiment(10, seed=5)).to_csv(tmp_path / "ten.csv", index=False)
    cfg = make_job(tmp_path / "ten.csv", "tiny-bert", "classification",
                   data__validation_file=str(data_dir / "sentiment_test.csv"),
                   method__method="full", **fast(train__max_steps=2, train__eval_before=False))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    little = by_code(run_dir)["too_little_data"]  # 104k trainable parameters, 10 rows
    assert little.params["rows"] == 10 and little.suggestion == {"method.method": "lora"}
    one_click(registry, run_dir)


def test_generation_that_repeats_itself(data_dir, workspace):
    cfg = make_job(data_dir / "pairs.csv", "tiny-t5", "text2text",
                   **fast(train__learning_rate=3e-3, train__max_steps=40,
                          train__eval_before=False))
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    rep = by_code(run_dir)["generation_repeats"]
    assert rep.params["count"] == rep.params["total"] == 2


def test_generation_that_answers_nothing(data_dir, workspace):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                   **fast(train__max_steps=2, train__eval_before=False))
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    assert by_code(run_dir)["generation_empty"].params["count"] >= 1
