"""Command-line pieces every verb shares: the user error that ends a command, the
--workspace and --cluster flags, and the job flags (--data/--model/--task/... and key=value
overrides) that `train` and `sweep` read the same way."""
from __future__ import annotations

import argparse
from pathlib import Path

from .config import JobConfig


class UserError(Exception):
    """Ends the command with its message on stderr and exit code 2."""


def workspace_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", default=None,
                   help="Workspace folder with runs and the registry (default: $STUDIO_WORKSPACE "
                        "or ./workspace).")


def cluster_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="Train on a Ray cluster: ray://HOST:10001, or auto for the one running "
                        "on this machine (default: $STUDIO_CLUSTER; none: this machine). The "
                        "workspace must be on storage every node sees.")


def cluster_of(args) -> str:
    """The cluster a new job goes to ('' for this machine): --cluster, else $STUDIO_CLUSTER."""
    from .backends import cluster_address
    address = cluster_address(getattr(args, "cluster", None))
    return "" if address.lower() in ("local", "none") else address


def job_from_args(args) -> JobConfig:
    """The job that `train`/`sweep` flags describe: a job file, or --data (and --model; left
    out, the model the page would suggest for the data)."""
    overrides = overrides_of(args)
    if args.job:
        cfg = JobConfig.from_yaml(args.job)
    elif args.data:
        cfg = JobConfig()
        if not args.model and not any(o.startswith("model.name=") for o in overrides):
            args.model = suggested_model(args)
    else:
        raise UserError("Give a job file (python -m studio train job.yaml) or --data (python -m "
                        "studio train --data reviews.csv, and --model minilm-l6 to choose the "
                        "model).")
    return fill_job(cfg, args, overrides)


def suggested_model(args) -> str:
    """The model the Model step suggests for the --data file (studio.models.suggest, from the
    same inspection facts: task and language), said in one line."""
    from .data import inspect_file
    from .distributed import is_main
    from .models import suggest
    insp = inspect_file(args.data, task=args.task or "auto",
                        validation_path=getattr(args, "validation", None) or "")
    name = suggest(insp.task, insp.chinese())
    if is_main():  # one line, not one per process of a multi-device run
        print(f"No --model given: training {name}, the model suggested for this "
              f"{insp.task} data (--model chooses another).", flush=True)
    return name


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
