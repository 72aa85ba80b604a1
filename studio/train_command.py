"""The `train` verb: a job file or --data/--model, checked before anything heavy loads, then
trained in this process (or under torchrun, or submitted to a Ray cluster and followed)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import TASKS, describe_fields
from .jobargs import UserError, cluster_arg, cluster_of, job_from_args


def add_parsers(sub, workspace_arg) -> None:
    settings = "\n".join(f"  {f['path']}: {f['help']}" + (
        f" [{', '.join(map(str, f['choices']))}]" if f.get("choices") else "") + (
        f" (default {f['default']})" if f["default"] not in ("", None) else "")
        for f in describe_fields())
    t = sub.add_parser("train", help="Train a job (a job.yaml, or --data and --model).",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="settings (key=value overrides):\n" + settings)
    t.add_argument("job", nargs="?", help="Job YAML file. Omit it and use --data/--model.")
    t.add_argument("overrides", nargs="*", help="Dotted overrides, e.g. train.epochs=2.")
    t.add_argument("--data", help="Training data file (quick form).")
    t.add_argument("--model", help="Preset, Hub id or local folder (quick form); left out, "
                                   "the model the page suggests for the data.")
    t.add_argument("--task", choices=TASKS)
    t.add_argument("--validation", help="Separate validation file.")
    t.add_argument("--name", help="A name for the run.")
    t.add_argument("--resume", metavar="RUN", help="Resume a stopped or failed run from its last "
                                                   "checkpoint.")
    cluster_arg(t)
    workspace_arg(t)
    t.set_defaults(handler=cmd_train)


def cmd_train(args) -> int:
    from .runs import Registry
    registry = Registry(args.workspace)
    registry.require_writable("train")  # before the heavy imports: says it at once
    from . import distributed
    if args.resume:
        run = registry.find(args.resume)
        if run is None:
            raise UserError(f"No run '{args.resume}' in {registry.workspace}; see "
                            f"`python -m studio runs`.")
        if run.status == "running" and distributed.is_main():  # reconciled: it is alive
            raise UserError(f"Run {run.id} is still training (process {run.pid}); stop it "
                            f"first (python -m studio stop {run.id}) or wait for it to end.")
        run_dir = Path(run.run_dir)
    elif args.job and _inside_run_folder(args.job, registry) and not args.overrides:
        run_dir = Path(args.job).resolve().parent  # launched by the UI on its own run folder
    elif (address := cluster_of(args)):  # a new job for the cluster: submit and follow it
        from .backends.follow import train_on_cluster
        return train_on_cluster(args, registry, address)
    else:
        cfg = job_from_args(args)
        from .jobs import precheck
        precheck(cfg)  # a wrong path, model or length: exit 2 at once, no failed run left
        from .disk import check_job_space
        check_job_space(cfg, registry.workspace)  # a disk too small for the checkpoints
        from . import training  # noqa: F401 - torch loads before the run is "queued"
        run_id = distributed.shared_run_id(cfg.name or Path(cfg.data.train_file).stem)
        run_dir = registry.run_dir(run_id)
        if distributed.is_main():
            registry.new_run(cfg, run_id)
        distributed.barrier()
    if (code := distributed.relaunch(run_dir, registry.workspace, args.resume)) is not None:
        return code  # train.devices > 1: this run again under torchrun, as the queue does
    if distributed.is_main():
        print(f"run {run_dir.name}: {run_dir}", flush=True)
    from .console import ConsoleEcho
    from .runs import RunFolder
    folder = RunFolder(run_dir)
    distributed.warn_devices(folder.events_file)  # e.g. started by the queue: rank 0 warns
    # On resume, echo only this attempt's events, not the old attempt's steps again.
    offset = folder.events_file.stat().st_size if args.resume and \
        folder.events_file.exists() else 0
    from .training import run_job  # torch and the Trainer: only once the job is checked
    with ConsoleEcho(folder.events_file, enabled=distributed.is_main(), offset=offset):
        code = run_job(run_dir, registry, resume=bool(args.resume))
    if code != 0 and distributed.is_main():
        final = folder.final_event() or {}
        if final.get("reason"):
            print(f"error: {final['reason']}", file=sys.stderr)
    return code


def _inside_run_folder(job: str, registry) -> bool:
    path = Path(job).resolve()
    return path.parent.parent == registry.runs_dir.resolve() and \
        registry.get(path.parent.name) is not None
