"""The memory planner: estimates that scale the way memory does, a job fitted to a small
(simulated) budget with the same effective batch, LoRA when only that fits, a refusal with the
numbers when nothing does, and the estimate on the Train step."""
from __future__ import annotations

import pytest

from helpers import events_of, make_job, train_in_process
from studio import jobs
from studio.config import JobConfig
from studio.jobs import memory, memory_plan

SMOL = {"h": 576, "i": 1536, "layers": 30, "dec_layers": 0, "heads": 9, "vocab": 49152}
LENS = memory.Lengths(train_max=512, train_mean=300.0, learned_mean=150.0, target_max=0,
                      eval_max=512, eval_rows=6, train_rows=54)


def chat_cfg(batch=16, length=512, method="full", **train) -> JobConfig:
    cfg = JobConfig(task="chat")
    cfg.train.batch_size, cfg.train.max_length, cfg.method.method = batch, length, method
    for k, v in train.items():
        setattr(cfg.train, k, v)
    return cfg


def peak(cfg, lens=LENS, params=135_000_000, trainable=None, packed=False, prec="bf16"):
    trainable = params if trainable is None else trainable
    frozen = params - trainable if cfg.method.method == "lora" else 0
    return memory.compute(cfg, "gpt", SMOL, params, trainable, frozen, 210, lens, "cpu", prec,
                          packed)


def test_activations_scale_with_batch_and_length():
    a = peak(chat_cfg(batch=4)).parts["activations"]
    b = peak(chat_cfg(batch=8)).parts["activations"]
    assert b == pytest.approx(2 * a, rel=1e-6)
    short = memory.Lengths(256, 150.0, 75.0, 0, 256, 6, 54)
    assert peak(chat_cfg(batch=8), short).parts["activations"] == pytest.approx(b / 2, rel=1e-6)
    # max_length caps the padded length even when the data is longer
    assert peak(chat_cfg(batch=8, length=256)).parts["activations"] == pytest.approx(b / 2,
                                                                                   rel=1e-6)


def test_weights_gradients_and_optimizer_follow_the_method():
    full = peak(chat_cfg())
    assert full.parts["weights"] == 135_000_000 * 4
    assert full.parts["gradients"] == 135_000_000 * 4
    assert full.parts["optimizer"] == 135_000_000 * 8         # AdamW: two fp32 moments
    assert full.parts["bf16_copies"] == 135_000_000 * 2       # autocast's weight copies
    lora = peak(chat_cfg(method="lora"), trainable=4_900_000)
    assert lora.parts["optimizer"] == 4_900_000 * 8
    assert lora.parts["weights"] < full.parts["weights"] * 0.6  # frozen base stored in bf16
    # LoRA saves weight-sized memory; its dropout keeps more activations, so it is the
    # smaller job where weights dominate (small batches), not at every size.
    one = memory.Lengths(128, 100.0, 50.0, 0, 128, 6, 54)
    assert peak(chat_cfg(batch=1, method="lora"), one, trainable=4_900_000).total < peak(
        chat_cfg(batch=1), one).total
    sgd = peak(chat_cfg(optimizer="sgd"))
    assert sgd.parts["optimizer"] == 0 and sgd.total < full.total
    fp32 = peak(chat_cfg(), prec="fp32")
    assert fp32.parts["bf16_copies"] == 0
    assert fp32.parts["activations"] > full.parts["activations"]


def test_the_total_is_the_framework_weights_optimizer_and_the_larger_phase():
    e = peak(chat_cfg())
    p = e.parts
    step = max(p["bf16_copies"] + p["activations"] + p["logits"], p["gradients"])
    assert e.total == p["framework"] + p["weights"] + p["optimizer"] + max(step,
                                                                          p["evaluation"])
    # accumulated gradients stay while the next micro-batch keeps its activations
    a = peak(chat_cfg(batch=4, grad_accum=4))
    p = a.parts
    step = p["bf16_copies"] + p["activations"] + p["logits"] + p["gradients"]
    assert a.total == p["framework"] + p["weights"] + p["optimizer"] + max(step,
                                                                          p["evaluation"])
    assert e.device == "cpu" and 1 < e.gb() < 100


def tiny_chat(data_dir, **overrides):
    return make_job(data_dir / "chat.json", "tiny-gpt", "chat", **overrides)


def test_a_job_that_does_not_fit_gets_micro_batches_with_the_same_effective_batch(
        data_dir, monkeypatch):
    big = jobs.plan_memory(tiny_chat(data_dir), budget_bytes=10**12)
    small = jobs.plan_memory(tiny_chat(data_dir, train__batch_size=2), budget_bytes=10**12)
    assert big.fits and not big.changes and small.estimate.total < big.estimate.total
    budget_mb = (big.estimate.total + small.estimate.total) / 2 / memory.MB
    monkeypatch.setenv("STUDIO_MEMORY_BUDGET_MB", f"{budget_mb:.3f}")
    cfg = jobs.resolve(tiny_chat(data_dir))[0]
    t = cfg.train
    assert t.batch_size < 16 and t.batch_size * t.grad_accum == 16
    plan = memory_plan.recall(cfg)
    assert plan.code == "memory_micro_batch" and plan.fits
    assert plan.changes["train.batch_size"] == (16, t.batch_size)
    assert t.memory_plan == plan.sentence == (
        f"tiny-gpt full fine-tuning at batch 16 needs ~{big.estimate.total / 2**30:.1f} GB; "
        f"this machine has {budget_mb / 1024:.1f} GB free: using batch {t.batch_size} x "
        f"{t.grad_accum} accumulation steps (same effective batch 16), "
        f"~{plan.estimate.total / 2**30:.1f} GB.")


@pytest.mark.heavy
def test_a_started_job_records_the_change_and_says_so(data_dir, tmp_path, monkeypatch):
    big = jobs.plan_memory(tiny_chat(data_dir), budget_bytes=10**12).estimate.total
    small = jobs.plan_memory(tiny_chat(data_dir, train__batch_size=4),
                             budget_bytes=10**12).estimate.total
    monkeypatch.setenv("STUDIO_MEMORY_BUDGET_MB", f"{(big + small) / 2 / memory.MB:.3f}")
    cfg = tiny_chat(data_dir, train__max_steps=2, train__eval_before=False,
                    train__generation_samples=0)
    code, run_dir, _ = train_in_process(cfg, tmp_path / "ws")
    assert code == 0
    recorded = JobConfig.from_yaml(run_dir / "job.yaml")
    assert recorded.train.batch_size < 16
    assert recorded.train.batch_size * recorded.train.grad_accum == 16
    assert "same effective batch 16" in recorded.train.memory_plan
    notes = [e for e in events_of(run_dir) if e.get("code") == "memory_plan"]
    assert [n["text"] for n in notes] == [recorded.train.memory_plan]


def test_lora_when_only_lora_fits(data_dir, monkeypatch):
    real = memory.compute

    def full_is_huge(cfg, *args):  # a model whose full fine-tuning can never fit
        e = real(cfg, *args)
        if cfg.method.method == "full":
            e.total += 50 * memory.GB
        return e
    monkeypatch.setattr(memory, "compute", full_is_huge)
    lora = jobs.plan_memory(tiny_chat(data_dir, method__method="lora"), budget_bytes=10**12)
    monkeypatch.setenv("STUDIO_MEMORY_BUDGET_MB", str(lora.estimate.total / memory.MB + 1))
    cfg = jobs.resolve(tiny_chat(data_dir))[0]
    assert cfg.method.method == "lora" and cfg.train.batch_size * cfg.train.grad_accum == 16
    assert cfg.train.learning_rate == 2e-3           # tiny-gpt's LoRA learning rate
    assert "training LoRA adapters instead" in cfg.train.memory_plan
    assert cfg.train.memory_plan.startswith("tiny-gpt full fine-tuning at batch 16 needs ~50.")


def test_big_generation_models_try_lora_before_micro_batches(data_dir, monkeypatch):
    monkeypatch.setattr(memory_plan, "LORA_FIRST_PARAMS", 0)  # tiny-gpt counts as big
    full = jobs.plan_memory(tiny_chat(data_dir), budget_bytes=10**12).estimate.total
    lora = jobs.plan_memory(tiny_chat(data_dir, method__method="lora"),
                            budget_bytes=10**12).estimate.total
    budget = min(full, lora) - memory.MB // 4    # neither fits at batch 16 ...
    p = jobs.plan_memory(tiny_chat(data_dir), budget_bytes=budget)
    assert p.changes["method.method"] == ("full", "lora")   # ... and LoRA is tried first
    assert p.estimate.total <= budget and p.code == "memory_lora"


def test_nothing_fits_is_refused_with_the_numbers(data_dir, monkeypatch):
    monkeypatch.setenv("STUDIO_MEMORY_BUDGET_MB", "100")
    with pytest.raises(memory_plan.MemoryBudgetError) as e:
        jobs.resolve(tiny_chat(data_dir))
    assert e.value.code == "memory_too_small"
    assert e.value.params["free_gb"] == "0.1"
    assert float(e.value.params["need_gb"]) > 0.1
    assert "even at batch 1 with LoRA" in str(e.value) and "0.1 GB free" in str(e.value)
    from components.i18n import error_text
    assert "0.1 GB" in error_text(e.value, "zh-CN") and "批大小为 1" in error_text(
        e.value, "zh-CN")


def test_budget_comes_from_the_environment_or_the_machine(monkeypatch):
    monkeypatch.setenv("STUDIO_MEMORY_BUDGET_MB", "2048")
    assert memory_plan.budget_bytes("cpu") == 2048 * memory.MB
    monkeypatch.delenv("STUDIO_MEMORY_BUDGET_MB")
    free = memory_plan.free_bytes("cpu")
    assert 0 < memory_plan.budget_bytes("cpu") < free


@pytest.mark.slow
def test_prediction_is_within_a_quarter_of_the_measured_peak(tmp_path):
    """MiniLM on a few hundred rows for three steps: predicted vs measured peak RSS."""
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "bench"))
    import memory as bench_memory
    data = root / "assets" / "samples" / "reviews_sentiment.csv"
    args = ["--data", str(data), "--model", "minilm-l6", "--task", "classification",
            "train.batch_size=16", "train.eval_before=false", "train.save_checkpoints=false"]
    measured = bench_memory.measure_one(args, steps=3)
    assert measured["rc"] == 0, measured["stderr_tail"]
    predicted = bench_memory.predict(args)["predicted_mb"]
    assert abs(predicted - measured["peak_mb"]) / measured["peak_mb"] < 0.25, (
        predicted, measured)
