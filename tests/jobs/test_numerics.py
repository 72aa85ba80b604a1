"""studio.jobs.numerics: which number format a job trains in, and bf16 frozen weights."""
import contextlib
import json

import pytest
import torch

from helpers import make_job, train_in_process
from studio import jobs
from studio.config import JobConfig
from studio.jobs import numerics


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    return monkeypatch


def test_auto_precision_keeps_narrow_models_in_fp32(cpu_only):
    cpu_only.setattr(numerics, "cpu_has_fast_bf16", lambda: True)
    assert jobs.auto_precision(64) == "fp32"
    assert jobs.auto_precision(numerics.BF16_MIN_WIDTH) == "bf16"
    assert jobs.auto_precision(384) == "bf16"
    assert jobs.auto_precision() == "bf16"
    cpu_only.setattr(numerics, "cpu_has_fast_bf16", lambda: False)
    assert jobs.auto_precision(384) == "fp32"


def test_auto_precision_on_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert jobs.auto_precision(64) == "bf16"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert jobs.auto_precision(64) == "fp16"


def test_cpu_flags_are_read_from_cpuinfo(monkeypatch, tmp_path):
    fake = tmp_path / "cpuinfo"
    monkeypatch.setattr(numerics, "Path", lambda _: fake)
    fake.write_text("flags\t: fpu sse avx512f amx_bf16 amx_tile\n")
    assert numerics.cpu_has_fast_bf16() is True
    fake.write_text("flags\t: fpu sse avx2 avx512_bf16x\n")
    assert numerics.cpu_has_fast_bf16() is False
    fake.unlink()
    assert numerics.cpu_has_fast_bf16() is False


def test_precision_of_a_job(cpu_only):
    cfg = JobConfig()
    for p in ("bf16", "fp16", "fp32"):
        cfg.train.precision = p
        assert jobs.precision(cfg) == p
    cfg.train.precision = "auto"
    cpu_only.setattr(numerics, "cpu_has_fast_bf16", lambda: False)
    assert jobs.precision(cfg) == "fp32"


def test_autocast_follows_the_job(cpu_only):
    cfg = JobConfig()
    cfg.train.precision = "fp32"
    assert isinstance(jobs.autocast(cfg), contextlib.nullcontext)
    cfg.train.precision = "bf16"
    a = torch.ones(4, 4)
    with jobs.autocast(cfg):
        assert (a @ a).dtype == torch.bfloat16
    assert (a @ a).dtype == torch.float32


def test_frozen_linears_go_to_bf16_and_everything_else_stays_fp32():
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from transformers.pytorch_utils import Conv1D
    from studio.models import ensure_tiny
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(ensure_tiny("tiny-gpt")),
                           LoraConfig(task_type="CAUSAL_LM", target_modules="all-linear"))
    emb = model.get_input_embeddings().weight
    n = jobs.frozen_linears_to_bf16(model)
    frozen = [m for m in model.modules() if isinstance(m, (torch.nn.Linear, Conv1D))
              and not m.weight.requires_grad and m.weight is not emb]
    assert n == len(frozen) > 0 and all(m.weight.dtype == torch.bfloat16 for m in frozen)
    assert emb.dtype == torch.float32  # the tied output layer too
    assert all(p.dtype == torch.float32 for name, p in model.named_parameters()
               if p.requires_grad)
    assert jobs.frozen_linears_to_bf16(model) == 0  # nothing left to convert


def test_lora_in_bf16_stores_frozen_linears_in_bf16(data_dir):
    plan = jobs.prepare(make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                                 method__method="lora", method__lora_targets="all-linear",
                                 train__precision="bf16"))
    dtypes = {n: p.dtype for n, p in plan.model.named_parameters()}
    assert all(d == torch.float32 for n, d in dtypes.items() if "lora_" in n)
    assert any(d == torch.bfloat16 for d in dtypes.values())
    assert plan.model.get_input_embeddings().weight.dtype == torch.float32
    kept = jobs.prepare(make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                                 method__method="lora", train__precision="bf16",
                                 method__bf16_base="false"))
    assert all(p.dtype == torch.float32 for p in kept.model.parameters())
    fp32 = jobs.prepare(make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                                 method__method="lora", train__precision="fp32"))
    assert all(p.dtype == torch.float32 for p in fp32.model.parameters())


@pytest.mark.heavy
def test_lora_with_bf16_base_trains_and_evaluates(data_dir, workspace):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", method__method="lora",
                   method__lora_targets="all-linear", train__precision="bf16",
                   train__epochs=2, train__batch_size=8, method__lora_dropout=0.1)
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0, (run_dir / "train.log").read_text()[-2000:]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["after"]["eval_loss"] < metrics["before"]["eval_loss"]
