"""Turning a JobConfig into a ready-to-train plan: resolve defaults, load data, model, LoRA.

Shared by training (which runs the plan), the UI (which shows the resolved config and model
size before a run) and the benchmark. Defaults depend on the preset, the task and the method,
so they are filled here, once, and written to the run's job.yaml.
"""
from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import models
from .config import ConfigError, JobConfig
from .models import ModelError

log = logging.getLogger(__name__)

# Modules LoRA adapts when the user leaves lora_targets on "auto" and there is no preset.
LORA_TARGETS = {"bert": ["query", "value"], "t5": ["q", "v"], "gpt2": ["c_attn"],
                "gpt": "all-linear"}


@dataclass
class Plan:
    cfg: JobConfig
    family: str
    location: str
    preset: models.Preset | None
    data: object = None            # studio.data.JobData
    task_module: object = None
    tokenizer: object = None
    model: object = None
    parameters: int = 0
    trainable: int = 0
    notes: list = field(default_factory=list)


def resolve_model(cfg: JobConfig) -> tuple[str, str, models.Preset | None]:
    location, preset = models.resolve_location(cfg.model.name, cfg.model.trust_remote_code)
    family = preset.family if preset else models.detect_family(
        models.load_config(location, cfg.model.trust_remote_code))
    if cfg.model.family not in ("auto", family):
        raise ModelError(f"model.family is '{cfg.model.family}' but {cfg.model.name} is a "
                         f"{family}-family model; set model.family to auto or {family}.",
                         "family_mismatch")
    return location, family, preset


def resolve_defaults(cfg: JobConfig, family: str, preset: models.Preset | None,
                     model_max: int | None = None, width: int | None = None) -> JobConfig:
    """Fill every 'decide for me' field; the result is what job.yaml records.

    `width` is the model's hidden size when known; it decides 'auto' precision on a CPU.
    """
    cfg = cfg.copy()
    if width is not None and cfg.train.precision == "auto":
        cfg.train.precision = auto_precision(width)
    lora = cfg.method.method == "lora"
    t = cfg.train
    if t.learning_rate is None:
        if preset:
            t.learning_rate = preset.lora_learning_rate if lora else preset.learning_rate
        else:
            t.learning_rate = {"bert": 3e-5, "gpt": 2e-5, "t5": 3e-4}[family] * (
                10 if lora else 1)
    if t.max_length is None:
        t.max_length = preset.max_length if preset else (
            128 if cfg.task == "classification" else 512)
        if model_max:
            t.max_length = min(t.max_length, model_max)
    if t.freeze_embeddings is None:
        # Classification barely moves word embeddings (same SST-2 accuracy either way), while
        # their dense gradient and optimizer state cost a quarter of each MiniLM step. GPT
        # models often tie them to the output layer, which generation must keep learning.
        t.freeze_embeddings = cfg.task == "classification" and not lora
    cfg.model.family = family
    if cfg.method.lora_targets == "auto":
        targets = preset.lora_targets if preset else LORA_TARGETS.get(family, "all-linear")
        cfg.method.lora_targets = targets if isinstance(targets, str) else ",".join(targets)
    return cfg


def prepare(cfg: JobConfig, log_note=None, load_model: bool = True) -> Plan:
    """Validate, resolve the model and data, refuse impossible pairs, then load everything."""
    from . import data as data_mod
    from .tasks import task_module
    cfg = cfg.copy().validate()
    location, family, preset = resolve_model(cfg)
    if cfg.task != "auto":  # refuse before reading any data when we already can
        models.check_task_family(cfg.task, family)
    job_data = data_mod.load_job_data(cfg, family=family)
    cfg.task = job_data.task
    models.check_task_family(cfg.task, family)
    config = models.load_config(location, cfg.model.trust_remote_code)
    model_max = _model_max_length(config)
    cfg = resolve_defaults(cfg, family, preset, model_max, _model_width(config))
    plan = Plan(cfg, family, location, preset, job_data, task_module(cfg.task, family))
    for p in getattr(job_data.inspection, "problems", []):
        if log_note and p.action != "blocking":
            log_note(level="warning" if p.action in ("excluded", "warning") else "info",
                     code=p.kind, text=p.message, count=p.count, rows=p.rows)
    if not load_model:
        return plan
    from transformers import AutoTokenizer, set_seed
    # Seed before any weight is created: a new classification head and LoRA's A matrices are
    # random, and the Trainer only seeds once the model already exists. Without this the same
    # job.yaml gives a different model (and dev accuracy) on every run.
    set_seed(cfg.train.seed)
    plan.tokenizer = plan.task_module.prepare_tokenizer(AutoTokenizer.from_pretrained(
        location, trust_remote_code=cfg.model.trust_remote_code))
    plan.model = plan.task_module.load_model(location, cfg, job_data.labels,
                                             cfg.model.trust_remote_code, plan.tokenizer)
    plan.parameters = sum(p.numel() for p in plan.model.parameters())
    if cfg.train.dropout is not None:
        set_dropout(plan.model, cfg.train.dropout)
    if cfg.method.method == "lora":
        plan.model = apply_lora(plan.model, cfg, family)
        if cfg.method.bf16_base and precision(cfg) == "bf16":
            frozen_linears_to_bf16(plan.model)
    elif cfg.train.freeze_embeddings:
        plan.model.get_input_embeddings().weight.requires_grad_(False)
    if cfg.train.fast_dropout:
        from . import fastdropout
        fastdropout.install(plan.model)
    resolve_packing(plan)
    plan.trainable = sum(p.numel() for p in plan.model.parameters() if p.requires_grad)
    return plan


def resolve_packing(plan: Plan) -> None:
    """Settle train.packing ('auto' = wherever the model supports it) once the model is loaded."""
    from .tasks import packing
    t = plan.cfg.train
    able = plan.cfg.task == "classification" and packing.supports(plan.model)
    if t.packing is None:
        t.packing = able
    elif t.packing and not able:
        raise ConfigError("train.packing works for BERT-family classification models only; "
                          "set it to auto or false.")


def frozen_linears_to_bf16(model) -> int:
    """Store LoRA's frozen Linear weights in bf16; returns how many were converted.

    Under bf16 autocast every fp32 weight is converted to bf16 at each use, and autocast caches
    those copies only for weights that require grad, so frozen ones are converted again at every
    forward: a full read and write of the base model per step. Stored in bf16 they are used as
    they are (SmolLM2 LoRA step 3.45 -> 2.86 s, profiled). Embeddings and norms stay fp32 so the
    residual stream keeps fp32 accuracy; adapters and any trained head stay fp32 too.
    """
    import torch
    from transformers.pytorch_utils import Conv1D  # GPT-2's linear layers
    embeddings = model.get_input_embeddings().weight  # an output layer tied to it stays fp32
    n = 0
    for module in model.modules():
        if isinstance(module, (torch.nn.Linear, Conv1D)) and not module.weight.requires_grad \
                and module.weight.dtype == torch.float32 and module.weight is not embeddings:
            module.to(torch.bfloat16)
            n += 1
    return n


def set_dropout(model, p: float) -> None:
    """One dropout rate everywhere: config fields are named differently in every architecture
    (hidden_dropout_prob, resid_pdrop, dropout_rate, attention_dropout), so set both the
    config values and the nn.Dropout modules built from them."""
    import torch
    for name, value in vars(model.config).items():
        if isinstance(value, float) and ("dropout" in name or "pdrop" in name):
            setattr(model.config, name, p)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = p
        if isinstance(getattr(module, "dropout", None), float):  # attention modules keep a float
            module.dropout = p


def _model_width(config) -> int | None:
    for name in ("hidden_size", "d_model", "n_embd", "dim"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def _model_max_length(config) -> int | None:
    for name in ("max_position_embeddings", "n_positions"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def apply_lora(model, cfg: JobConfig, family: str):
    from peft import LoraConfig, TaskType, get_peft_model
    task_type = {"classification": TaskType.SEQ_CLS,
                 "gpt": TaskType.CAUSAL_LM, "t5": TaskType.SEQ_2_SEQ_LM}
    tt = task_type["classification"] if cfg.task == "classification" else task_type[family]
    targets = cfg.method.lora_targets
    if targets != "all-linear":
        targets = [t.strip() for t in targets.split(",") if t.strip()]
        names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
        missing = [t for t in targets if t not in names]
        if missing:
            raise ConfigError(f"method.lora_targets names modules this model does not have: "
                              f"{', '.join(missing)}; use 'all-linear' or some of: "
                              f"{', '.join(sorted(_linear_names(model))[:12])}.")
    lc = LoraConfig(task_type=tt, r=cfg.method.lora_r, lora_alpha=cfg.method.lora_alpha,
                    lora_dropout=cfg.method.lora_dropout, target_modules=targets)
    return get_peft_model(model, lc)


def _linear_names(model) -> set[str]:
    import torch
    return {n.rsplit(".", 1)[-1] for n, m in model.named_modules()
            if isinstance(m, torch.nn.Linear)}


# Below this hidden size a CPU's bf16 autocast costs more than it saves: the matmuls are too
# small for AMX to matter, while every weight and activation is still converted at each step
# (tiny-t5, width 64: 177 samples/s in fp32 against 120 in bf16; MiniLM, width 384: bf16 1.9x
# faster than fp32).
BF16_MIN_WIDTH = 256


def auto_precision(width: int | None = None) -> str:
    """bf16 where the hardware multiplies it fast (CUDA bf16; CPUs with AMX / AVX512-BF16, for
    models wide enough to gain from it), fp16 on older GPUs, fp32 otherwise."""
    import torch
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if width is not None and width < BF16_MIN_WIDTH:
        return "fp32"
    return "bf16" if cpu_has_fast_bf16() else "fp32"


def precision(cfg: JobConfig) -> str:
    """The precision a job trains in; prepare() has already settled 'auto' for its model."""
    return auto_precision() if cfg.train.precision == "auto" else cfg.train.precision


def autocast(cfg: JobConfig):
    """The same reduced precision for work done outside Trainer (generation)."""
    import contextlib

    import torch
    prec = precision(cfg)
    if prec == "fp32":
        return contextlib.nullcontext()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.autocast(device, dtype=torch.bfloat16 if prec == "bf16" else torch.float16)


def cpu_has_fast_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return bool(re.search(r"\b(amx_bf16|avx512_bf16)\b", flags))


def total_steps(cfg: JobConfig, rows: int, world: int = 1) -> int:
    if cfg.train.max_steps > 0:
        return cfg.train.max_steps
    per_epoch = math.ceil(rows / (cfg.train.batch_size * world))
    per_epoch = max(1, per_epoch // cfg.train.grad_accum)
    return max(1, math.ceil(per_epoch * cfg.train.epochs))


def training_arguments(cfg: JobConfig, run_dir: Path, rows: int, has_eval: bool):
    import torch
    from transformers import TrainingArguments
    t = cfg.train
    steps = total_steps(cfg, rows)
    strategy = t.eval_strategy if has_eval else "no"
    prec = precision(cfg)
    logging_steps = t.logging_steps or max(1, min(50, steps // 50))
    best = t.early_stopping_patience > 0 and strategy != "no"
    return TrainingArguments(
        output_dir=str(run_dir / "checkpoints"),
        per_device_train_batch_size=t.batch_size,
        # Evaluation keeps no activations for backward, so it can take bigger batches.
        per_device_eval_batch_size=t.batch_size * 2,
        learning_rate=t.learning_rate, num_train_epochs=t.epochs, max_steps=t.max_steps,
        warmup_steps=t.warmup_ratio, weight_decay=t.weight_decay,
        gradient_accumulation_steps=t.grad_accum, lr_scheduler_type=t.scheduler, seed=t.seed,
        eval_strategy=strategy, eval_steps=t.eval_steps,
        save_strategy=strategy if t.save_checkpoints and strategy != "no" else "no",
        save_steps=t.eval_steps, save_total_limit=2 if best else 1,
        load_best_model_at_end=best, metric_for_best_model="eval_loss" if best else None,
        logging_steps=logging_steps, logging_first_step=True,
        bf16=prec == "bf16", fp16=prec == "fp16", use_cpu=not torch.cuda.is_available(),
        # Packed batches carry no padding, so they keep random batches (better accuracy).
        train_sampling_strategy="group_by_length" if t.group_by_length and not t.packing
        else "random",
        optim=t.optimizer,
        include_num_input_tokens_seen="non_padding",
        report_to="none", disable_tqdm=True, dataloader_num_workers=0,
        ddp_backend="gloo" if int(os.environ.get("WORLD_SIZE", "1")) > 1
        and not torch.cuda.is_available() else None,
    )


def extra_callbacks(cfg: JobConfig) -> list:
    if cfg.train.early_stopping_patience > 0 and cfg.train.eval_strategy != "no":
        from transformers import EarlyStoppingCallback
        return [EarlyStoppingCallback(cfg.train.early_stopping_patience)]
    return []


def last_checkpoint(run_dir: Path) -> Path | None:
    ckpts = sorted((run_dir / "checkpoints").glob("checkpoint-*"),
                   key=lambda p: int(p.name.split("-")[-1]))
    return ckpts[-1] if ckpts else None


def save_model(trainer, plan: Plan, target: Path) -> None:
    """The model (or LoRA adapter) with its tokenizer and what inference needs to load it."""
    import json
    if not trainer.is_world_process_zero():
        return
    target.mkdir(parents=True, exist_ok=True)
    trainer.model.save_pretrained(target)
    plan.tokenizer.save_pretrained(target)
    cfg = plan.cfg
    info = {"task": cfg.task, "family": plan.family, "method": cfg.method.method,
            "base_model": cfg.model.name, "base_location": plan.location,
            "labels": plan.data.labels, "max_length": cfg.train.max_length,
            "system_prompt": cfg.data.system_prompt}
    (target / "studio.json").write_text(json.dumps(info, indent=2, ensure_ascii=False))
    if cfg.task == "classification":
        (target / "labels.json").write_text(json.dumps(
            {"id2label": dict(enumerate(plan.data.labels))}, indent=2, ensure_ascii=False))
