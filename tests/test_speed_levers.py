"""The speed levers keep the maths: packing, fast dropout, bf16 frozen weights, auto precision."""
from __future__ import annotations

import json

import pytest
import torch

from helpers import events_of, losses, make_job, train_in_process
from studio import jobs
from studio.config import ConfigError
from studio.fastdropout import FastDropout
from studio.tasks.packing import PackedCollator, packed_logits


def _plan(data_dir, model, task, **overrides):
    cfg = make_job(data_dir / ("sentiment.csv" if task == "classification" else "chat.json"),
                   model, task, **overrides)
    return jobs.prepare(cfg)


def test_packed_batch_gives_the_padded_batch_logits(data_dir):
    plan = _plan(data_dir, "tiny-bert", "classification", train__precision="fp32")
    assert plan.cfg.train.packing is True
    ds, _ = plan.task_module.build_dataset(plan.data.train, plan.tokenizer, plan.cfg,
                                           plan.data.labels)
    keys = [k for k in ("input_ids", "token_type_ids", "attention_mask", "labels")
            if k in ds.column_names]
    feats = [{k: ds[i][k] for k in keys} for i in range(24)]
    padded = plan.task_module.make_collator(plan.tokenizer)(feats)
    packed = PackedCollator(plan.tokenizer.pad_token_id, row_tokens=128)(feats)
    assert packed["input_ids"].shape[0] < len(feats)  # several texts share a row
    assert torch.equal(packed["labels"], padded["labels"])
    model = plan.model.eval()
    with torch.no_grad():
        want = model(**{k: v for k, v in padded.items() if k != "labels"}).logits
        got = packed_logits(model, packed)
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


def test_packing_drops_the_padding_of_mixed_lengths():
    import random
    rng = random.Random(0)
    feats = [{"input_ids": [5] * rng.randint(4, 40), "labels": i % 2} for i in range(16)]
    packed = PackedCollator(pad_id=0)(feats)
    real = sum(len(f["input_ids"]) for f in feats)
    assert packed["input_ids"].numel() < 16 * 40 * 0.75  # a padded batch is 16 x longest
    assert packed["input_ids"].numel() - real < 16 * packed["input_ids"].shape[0]
    for i, f in enumerate(feats):  # each text sits whole at its recorded start
        r, c = packed["cls_rows"][i], packed["cls_cols"][i]
        n = len(f["input_ids"])
        assert packed["position_ids"][r, c:c + n].tolist() == list(range(n))
        assert packed["packed_mask"][r, 0, c:c + n, c:c + n].all()
        assert packed["packed_mask"][r, 0, c, :].sum() == n  # and sees nothing else


def test_packing_is_auto_for_bert_only_and_refused_elsewhere(data_dir):
    assert _plan(data_dir, "tiny-gpt", "classification").cfg.train.packing is False
    with pytest.raises(ConfigError, match="train.packing works for BERT-family"):
        _plan(data_dir, "tiny-gpt", "classification", train__packing="true")


def test_packed_classifier_learns(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__epochs=12,
                   train__eval_strategy="no", train__packing="true")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    ls = losses(events_of(run_dir))
    assert sum(ls[-3:]) / 3 < sum(ls[:3]) / 3 - 0.2
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["after"]["accuracy"] >= 0.8


def test_fast_dropout_drops_p_and_rescales():
    torch.manual_seed(0)
    drop = FastDropout(0.2).train()
    x = torch.ones(200, 500, requires_grad=True)
    y = drop(x)
    zero = float((y == 0).float().mean())
    assert 0.19 < zero < 0.21
    assert torch.allclose(y[y != 0], torch.full_like(y[y != 0], 1 / 0.8))
    y.sum().backward()
    assert torch.equal(x.grad, y.detach())  # gradient flows through kept elements only
    assert torch.equal(drop.eval()(x), x)
    torch.manual_seed(5)
    a = FastDropout(0.2).train()(x)
    torch.manual_seed(5)
    assert torch.equal(FastDropout(0.2).train()(x), a)  # train.seed makes runs repeatable


def test_fast_dropout_replaces_every_dropout_module(data_dir):
    plan = _plan(data_dir, "tiny-bert", "classification")
    kinds = {type(m) for m in plan.model.modules()}
    assert FastDropout in kinds and torch.nn.Dropout not in kinds
    off = _plan(data_dir, "tiny-bert", "classification", train__fast_dropout="false")
    assert FastDropout not in {type(m) for m in off.model.modules()}


def test_lora_in_bf16_stores_frozen_linears_in_bf16(data_dir):
    plan = _plan(data_dir, "tiny-gpt", "chat", method__method="lora",
                 method__lora_targets="all-linear", train__precision="bf16")
    dtypes = {n: p.dtype for n, p in plan.model.named_parameters()}
    assert all(d == torch.float32 for n, d in dtypes.items() if "lora_" in n)
    assert plan.model.get_input_embeddings().weight.dtype == torch.float32
    from transformers.pytorch_utils import Conv1D
    frozen = [m for m in plan.model.modules() if isinstance(m, (torch.nn.Linear, Conv1D))
              and not m.weight.requires_grad and m.weight is not
              plan.model.get_input_embeddings().weight]
    assert frozen and all(m.weight.dtype == torch.bfloat16 for m in frozen)
    kept = _plan(data_dir, "tiny-gpt", "chat", method__method="lora",
                 train__precision="bf16", method__bf16_base="false")
    assert all(p.dtype == torch.float32 for p in kept.model.parameters())


def test_auto_precision_keeps_narrow_models_in_fp32(monkeypatch):
    monkeypatch.setattr(jobs.numerics, "cpu_has_fast_bf16", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert jobs.auto_precision(64) == "fp32"
    assert jobs.auto_precision(384) == "bf16"
    monkeypatch.setattr(jobs.numerics, "cpu_has_fast_bf16", lambda: False)
    assert jobs.auto_precision(384) == "fp32"


def test_lora_with_bf16_base_trains_and_evaluates(data_dir, workspace):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", method__method="lora",
                   method__lora_targets="all-linear", train__precision="bf16",
                   train__epochs=2, train__batch_size=8, method__lora_dropout=0.1)
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0, (run_dir / "train.log").read_text()[-2000:]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["after"]["eval_loss"] < metrics["before"]["eval_loss"]


def test_benchmark_overrides_are_real_options():
    """bench/run.py and bench/levers.py pass these to `python -m studio train`; a renamed
    option would otherwise surface only as a failed 30-minute benchmark."""
    import importlib.util
    import sys
    from pathlib import Path
    from studio.config import JobConfig
    bench = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        spec = importlib.util.spec_from_file_location("bench_levers", bench / "levers.py")
        levers = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(levers)
    finally:
        sys.path.remove(str(bench))
    overrides = list(levers.bench.STUDIO_COMMON)
    for variants in levers.VARIANTS.values():
        for _, extra in variants:
            overrides += extra
    assert "train.packing=false" in overrides and "train.fast_dropout=false" in overrides
    cfg = JobConfig().override(overrides)
    assert cfg.train.warmup_ratio == 0 and cfg.train.weight_decay == 0
    with pytest.raises(ConfigError):
        JobConfig().override(["train.no_such_lever=1"])
