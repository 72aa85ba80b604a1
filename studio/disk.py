"""Disk space: refuse a run the disk cannot hold before it starts, and recognise a write that
failed because the disk (or the process's file-size limit) ran out while it trained."""
from __future__ import annotations

import errno
import shutil
from pathlib import Path

from .errors import RunError

# Room for everything besides the model and its checkpoints: event log, train.log, per-row
# validation outputs, tokenizer files, the SQLite registry.
MARGIN_MB = 20
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf", ".pth")
# Messages of writers that do not raise OSError with an errno: torch's zip writer
# ("unexpected pos"/"file write failed") and safetensors ("File too large (os error 27)").
FULL_TEXTS = ("No space left on device", "unexpected pos", "file write failed",
              "File too large", "Disk quota exceeded", "os error 28", "os error 27")


def free_mb(path: str | Path) -> int:
    """Free MB on the disk holding `path` (its nearest existing parent)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free // 2**20


def is_disk_full(e: BaseException) -> bool:
    """ENOSPC / EDQUOT, EFBIG (a file-size limit: RLIMIT_FSIZE), or a serializer's message
    that says the same."""
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    text = str(e)
    return any(t in text for t in FULL_TEXTS)


def weights_mb(location: str | Path) -> float:
    """Size of a model folder's weight files in MB (0 for a Hub id not on this disk)."""
    path = Path(location)
    if not path.is_dir():
        return 0.0
    return sum(p.stat().st_size for p in path.rglob("*")
               if p.is_file() and p.name.endswith(WEIGHT_SUFFIXES)) / 2**20


def needed_mb(cfg, model_mb: float) -> int:
    """What a run writes at most: the final model plus the checkpoints kept (one more while the
    Trainer rotates them), each holding the weights and, for full fine-tuning, Adam's two
    moments (LoRA checkpoints hold the adapter only, a few percent of the weights)."""
    t = cfg.train
    kept = 0
    if t.save_checkpoints and t.eval_strategy != "no":
        kept = 2 if t.early_stopping_patience > 0 else 1
    # method 'auto' (not resolved yet when a job is queued) counts as full: never too little
    per_checkpoint = model_mb * (0.1 if cfg.method.method == "lora" else 3)
    return int(model_mb + (kept + 1 if kept else 0) * per_checkpoint + MARGIN_MB + 0.999)


def check_free_space(cfg, workspace: str | Path, location: str | Path) -> None:
    """Refuse, with the numbers, a run the workspace's disk cannot hold."""
    need, free = needed_mb(cfg, weights_mb(location)), free_mb(workspace)
    if free < need:
        raise RunError(code="disk_space", free_mb=free, need_mb=need, workspace=str(workspace))


def check_job_space(cfg, workspace: str | Path) -> None:
    """check_free_space for a job, its model found the way training finds it."""
    from .models import resolve_location
    location, _ = resolve_location(cfg.model.name, cfg.model.trust_remote_code)
    check_free_space(cfg, workspace, location)
