"""What a finished (or stopped) run leaves in `model/`, and where it can resume from."""
from __future__ import annotations

import json
from pathlib import Path

from ..runs import RunFolder


def last_checkpoint(run_dir: Path) -> Path | None:
    ckpts = sorted(RunFolder(run_dir).checkpoints_dir.glob("checkpoint-*"),
                   key=lambda p: int(p.name.split("-")[-1]))
    return ckpts[-1] if ckpts else None


def save_model(trainer, plan, target: Path) -> None:
    """The model (or LoRA adapter) with its tokenizer and what inference needs to load it."""
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
    (target / RunFolder.MODEL_INFO).write_text(json.dumps(info, indent=2, ensure_ascii=False))
    if cfg.task == "classification":
        (target / "labels.json").write_text(json.dumps(
            {"id2label": dict(enumerate(plan.data.labels))}, indent=2, ensure_ascii=False))
