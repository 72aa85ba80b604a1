"""A resolved job as transformers' TrainingArguments, its step count and extra callbacks."""
from __future__ import annotations

import math
from pathlib import Path

from ..config import JobConfig
from ..distributed import world_size
from .numerics import precision


def total_steps(cfg: JobConfig, rows: int, world: int = 1) -> int:
    if cfg.train.max_steps > 0:
        return cfg.train.max_steps
    return max(1, math.ceil(steps_per_epoch(cfg, rows, world) * cfg.train.epochs))


def steps_per_epoch(cfg: JobConfig, rows: int, world: int = 1) -> int:
    batches = math.ceil(rows / (cfg.train.batch_size * world))
    # The Trainer takes an optimizer step for a last, partial accumulation too (rounds up).
    return max(1, math.ceil(batches / cfg.train.grad_accum))


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
        ddp_backend="gloo" if world_size() > 1 and not torch.cuda.is_available() else None,
    )


def extra_callbacks(cfg: JobConfig) -> list:
    if cfg.train.early_stopping_patience > 0 and cfg.train.eval_strategy != "no":
        from transformers import EarlyStoppingCallback
        return [EarlyStoppingCallback(cfg.train.early_stopping_patience)]
    return []
