"""Command-line flags on top of a job: shared by `train` and `sweep` so both read
--data/--model/--task/... the same way."""
from __future__ import annotations

from pathlib import Path

from .config import JobConfig


def overrides_of(args) -> list[str]:
    """The key=value overrides; `train key=value ...` (no job file) puts the first one where
    the job file goes, so it moves back to the overrides."""
    overrides = list(getattr(args, "overrides", None) or [])
    if args.job and "=" in args.job and not Path(args.job).exists():
        overrides.insert(0, args.job)
        args.job = None
    return overrides


def fill_job(cfg: JobConfig, args, overrides: list[str]) -> JobConfig:
    """--data/--validation/--model/--task/--name and key=value overrides on top of `cfg`
    (train and sweep alike), data paths made absolute, the result validated."""
    for value, (obj, attr) in (
            (args.data, (cfg.data, "train_file")), (args.model, (cfg.model, "name")),
            (getattr(args, "validation", None), (cfg.data, "validation_file")),
            (args.task, (cfg, "task")), (getattr(args, "name", None), (cfg, "name"))):
        if value:
            setattr(obj, attr, value)
    cfg.override(overrides)
    for attr in ("train_file", "validation_file"):  # run folders live elsewhere: pin paths
        value = getattr(cfg.data, attr)
        if value and Path(value).exists():
            setattr(cfg.data, attr, str(Path(value).resolve()))
    return cfg.validate()
