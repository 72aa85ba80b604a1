"""Settings suggested before training (each from a cited rule) and the live divergence
check that ends a run whose loss blows up."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from studio.advisor import suggest_settings
from studio.advisor.live_check import PATIENCE, DivergenceCheck
from studio.errors import RunError

CITED = re.compile(r"(19|20)\d\d")  # every rule names its source and year


@pytest.mark.parametrize("task, family, method, rows, params, lr, epochs, batch", [
    ("classification", "bert", "full", 5000, 110_000_000, 3e-5, 3, 16),   # BERT-base
    ("classification", "bert", "full", 500, 22_000_000, 5e-5, 10, 16),    # MiniLM, few rows
    ("classification", "bert", "full", 150, 500_000, 1e-3, 10, 8),        # a random toy
    ("chat", "gpt", "lora", 50_000, 7_000_000_000, 2e-4, 3, 32),          # QLoRA's 2e-4
    ("chat", "gpt", "lora", 200_000, 33_000_000_000, 1e-4, 1, 32),        # ... 1e-4 above 20B
    ("chat", "gpt", "full", 5000, 135_000_000, 2e-5, 3, 16),              # Alpaca
    ("text2text", "t5", "full", 5000, 60_000_000, 3e-4, 3, 16)])          # T5 with AdamW
def test_suggested_settings_follow_their_rules(task, family, method, rows, params, lr, epochs,
                                               batch):
    s = suggest_settings(task, family, method, rows, params)
    assert s["train.learning_rate"][0] == lr
    assert s["train.epochs"][0] == epochs
    assert s["train.batch_size"][0] == batch
    for value, why in s.values():
        assert why and str(value).rstrip("0").rstrip(".") in why or f"{value:g}" in why
    assert CITED.search(s["train.learning_rate"][1]) and CITED.search(s["train.epochs"][1])


class Writer:
    def __init__(self):
        self.events = []

    def emit(self, type, **fields):
        self.events.append({"type": type, **fields})


def check(lr=1e-2):
    writer = Writer()
    cfg = SimpleNamespace(train=SimpleNamespace(learning_rate=lr))
    return DivergenceCheck(writer, cfg), writer


def log(cb, loss, step, grad_norm=1.0):
    cb.on_log(None, SimpleNamespace(global_step=step), None,
              logs={"loss": loss, "grad_norm": grad_norm})


def test_a_nan_loss_ends_the_run_at_once():
    cb, writer = check()
    log(cb, 0.7, 1)
    with pytest.raises(RunError):
        log(cb, float("nan"), 2)


def test_nan_gradients_end_the_run_with_the_sentence():
    cb, writer = check()
    log(cb, 0.7, 1)
    log(cb, 0.69, 2, grad_norm=float("inf"))  # one fp16 overflow step: the scaler skips it
    log(cb, 0.68, 3)
    for step in range(4, 4 + PATIENCE - 1):  # the Trainer hides a NaN loss, not the norm
        log(cb, 0.0, step, grad_norm=float("nan"))
    assert writer.events == []
    with pytest.raises(RunError) as e:
        log(cb, 0.0, 9, grad_norm=float("nan"))
    assert e.value.code == "diverged_nan" and e.value.params["new_lr"] == 1e-3
    assert "became NaN at step 9" in str(e.value) and "1e-03" not in str(e.value)
    assert writer.events[0]["type"] == "finding" and writer.events[0]["code"] == \
        "lr_too_high_nan" and writer.events[0]["suggestion"] == {"train.learning_rate": 1e-3}


def test_a_loss_staying_far_above_the_first_ends_the_run():
    cb, writer = check()
    log(cb, 1.0, 1)
    for step in range(2, 2 + PATIENCE - 1):
        log(cb, 5.0, step)
    log(cb, 0.9, 10)  # one good log resets the count: a single bad batch is not divergence
    for step in range(11, 11 + PATIENCE - 1):
        log(cb, 5.0, step)
    assert writer.events == []
    with pytest.raises(RunError) as e:
        log(cb, 5.0, 20)
    assert e.value.code == "diverged" and e.value.params["factor"] == 5.0
    assert "training diverged" in str(e.value)


def test_eval_logs_are_ignored():
    cb, writer = check()
    cb.on_log(None, SimpleNamespace(global_step=1), None, logs={"eval_loss": float("nan")})
    assert writer.events == []
