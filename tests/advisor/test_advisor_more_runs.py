"""The advisor findings that tests/advisor/test_advisor_runs.py does not train for, each from
a real tiny run with the bad setting, and each suggestion's one click on the page filling the
form (advisor_data.one_click). lr_too_high_nan has no real run: in fp32 with the Trainer's
gradient clipping a tiny model diverges (lr_too_high_rise) rather than reaching NaN; the live
check's NaN stop is tested on logged values in test_advisor_suggest.py."""
from __future__ import annotations

import random

import pandas as pd
import pytest

from advisor_data import one_click
from conftest import POSITIVE, SUBJECTS, toy_sentiment
from helpers import make_job, train_in_process
from studio.advisor import findings
from studio.advisor.report import stored
from studio.runfolder import RunFolder


def by_code(run_dir):
    return {f.code: f for f in findings(run_dir)}


def fast(**overrides):
    return {"train__batch_size": 8, "train__logging_steps": 1, "train__eval_before": False,
            **overrides}


@pytest.mark.heavy
def test_overfitting_with_early_stopping_keeps_the_best_model(data_dir, workspace, tmp_path):
    rows = toy_sentiment(40, seed=3)  # a quarter of the labels wrong: memorising them hurts
    for r in rows[1::4]:
        r["label"] = "negative" if r["label"] == "positive" else "positive"
    pd.DataFrame(rows).to_csv(tmp_path / "noisy.csv", index=False)
    # patience 100: the best checkpoint is kept, but the run goes on (no early stop)
    cfg = make_job(tmp_path / "noisy.csv", "tiny-bert", "classification",
                   data__validation_file=str(data_dir / "sentiment_test.csv"),
                   train__early_stopping_patience=100,
                   **fast(train__learning_rate=3e-3, train__epochs=30, train__logging_steps=5))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    kept = by_code(run_dir)["overfitting_best_kept"]
    assert 1 <= kept.suggestion["train.epochs"] < 30
    assert f"the best one, from step {kept.params['best_step']}" in kept.sentence
    out = one_click(registry, run_dir)
    assert "Epochs 30 →" in out["advice_message"]


@pytest.mark.heavy
def test_still_learning_with_validation_loss_still_falling(data_dir, workspace):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                   **fast(train__learning_rate=3e-3, train__epochs=3,
                          train__generation_samples=0))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    still = by_code(run_dir)["still_learning"]
    assert still.suggestion == {"train.epochs": 6} and still.params["val_drop_pct"] > 2
    # stored with the run too (recorded before the `done` event that the rule asks for)
    assert "still_learning" in [f.code for f in stored(RunFolder(run_dir))]
    one_click(registry, run_dir)


@pytest.mark.heavy
def test_lr_x10_with_a_flat_loss_is_too_high_to_learn(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   **fast(train__learning_rate=1e-2, train__max_steps=30))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    flat = by_code(run_dir)["lr_too_high_flat"]  # 10x tiny-bert's 1e-3, the loss at ln 2
    assert flat.params["ratio"] == 10 and flat.suggestion == {"train.learning_rate": 1e-3}
    out = one_click(registry, run_dir)
    assert "Learning rate 0.01 → 0.001" in out["advice_message"]


@pytest.mark.heavy
def test_lr_x40_whose_loss_jumps_goes_back_to_the_usual_rate(data_dir, workspace):
    # 40x tiny-bert's 1e-3, a long warm-up: the loss jumps to ~2.3x its first value and
    # falls back, under divergence's 3x and without the fall that spikes need
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   **fast(train__learning_rate=4e-2, train__warmup_ratio=0.3,
                          train__max_steps=30))
    code, run_dir, registry = train_in_process(cfg, workspace)
    assert code == 0
    jump = by_code(run_dir)["lr_too_high_jump"]
    assert jump.params["factor"] >= 1.5 and jump.params["ratio"] == 40
    assert jump.suggestion == {"train.learning_rate": 1e-3}
    assert "Learning rate 0.04 → 0.001" in one_click(registry, run_dir)["advice_message"]


@pytest.mark.heavy
def test_a_rare_class_served_badly(data_dir, workspace, tmp_path):
    """Validation: 40 positive rows and 8 negative ones, 6 of those with a positive word:
    accuracy stays high while the negative class's F1 falls (no class has recall 0)."""
    rng = random.Random(21)
    rows = [r for r in toy_sentiment(80, seed=22) if r["label"] == "positive"]
    rows += [r for r in toy_sentiment(8, seed=23) if r["label"] == "negative"][:2]
    rows += [{"text": f"review {rng.randint(0, 10**6)}: {rng.choice(SUBJECTS)} was "
                      f"{rng.choice(POSITIVE)}", "label": "negative"} for _ in range(6)]
    pd.DataFrame(rows).to_csv(tmp_path / "val.csv", index=False)
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                   data__validation_file=str(tmp_path / "val.csv"),
                   **fast(train__learning_rate=3e-3, train__epochs=3))
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    found = by_code(run_dir)
    assert "classes_ignored" not in found
    gap = found["classes_unbalanced"].params
    assert gap["accuracy"] - gap["macro_f1"] > 0.15 and found["classes_unbalanced"].suggestion \
        == {}  # no setting fixes the data: the sentence says to add rows


def test_very_few_rows_with_lora(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment_test.csv", "tiny-bert", "classification",
                   method__method="lora", **fast(train__max_steps=2))
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    little = by_code(run_dir)["too_little_data_lora"]
    assert little.params["rows"] == 36 and little.suggestion == {}
