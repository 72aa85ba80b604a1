"""`python -m studio ...`: train, runs, predict, eval, models, inspect, stop, export, serve.

Every command prints one clear line on stderr and exits non-zero when something a user did is
wrong; `--json` makes `runs`, `predict`, `eval`, `models` and `inspect` print one JSON document.
"""
from __future__ import annotations

import argparse
import errno
import sqlite3
import json
import logging
import os
import sys
from pathlib import Path

from .config import JobConfig, describe_fields
from .errors import StudioError
from .models import first_line


class UserError(Exception):
    """Ends the command with its message on stderr and exit code 2."""


def _workspace_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", default=None,
                   help="Workspace folder with runs and the registry (default: $STUDIO_WORKSPACE "
                        "or ./workspace).")


def _cluster_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="Train on a Ray cluster: ray://HOST:10001, or auto for the one running "
                        "on this machine (default: $STUDIO_CLUSTER; none: this machine). The "
                        "workspace must be on storage every node sees.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m studio",
                                     description="Fine-tuning Studio: fine-tune BERT, GPT and T5 "
                                                 "models on your own data.")
    sub = parser.add_subparsers(dest="command", required=True)

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
    t.add_argument("--model", help="Preset, Hub id or local folder (quick form).")
    t.add_argument("--task", choices=["auto", "classification", "chat", "text2text"])
    t.add_argument("--validation", help="Separate validation file.")
    t.add_argument("--name", help="A name for the run.")
    t.add_argument("--resume", metavar="RUN", help="Resume a stopped or failed run from its last "
                                                   "checkpoint.")
    _cluster_arg(t)
    _workspace_arg(t)

    r = sub.add_parser("runs", help="The run history, newest first.")
    r.add_argument("--json", action="store_true")
    _workspace_arg(r)

    p = sub.add_parser("predict", help="Predict with a trained run (or a base model).")
    p.add_argument("run", help="Run id (or a unique prefix, or its name).")
    p.add_argument("--text", action="append", help="Input text (repeat for several).")
    p.add_argument("--file", help="A file of inputs (same formats as training data).")
    p.add_argument("--out", help="Write predictions to this CSV file.")
    p.add_argument("--max-new-tokens", type=int, default=128)
    p.add_argument("--json", action="store_true")
    _workspace_arg(p)

    e = sub.add_parser("eval", help="Metrics of a trained run on a held-out file.")
    e.add_argument("run")
    e.add_argument("--file", required=True)
    e.add_argument("--json", action="store_true")
    _workspace_arg(e)

    m = sub.add_parser("models", help="Presets, their family, and whether they work offline.")
    m.add_argument("--json", action="store_true")

    i = sub.add_parser("inspect", help="What the studio reads from a data file.")
    i.add_argument("file")
    i.add_argument("--sheet", default="")
    i.add_argument("--encoding", default="")
    i.add_argument("--unnamed-columns", choices=("join", "exclude"), default="join",
                   help="Rows whose text spilled into unnamed columns (unquoted commas): join "
                        "the pieces back (default) or exclude those rows.")
    i.add_argument("--json", action="store_true")

    s = sub.add_parser("stop", help="Ask a running job to stop (a second time kills it).")
    s.add_argument("run")
    _workspace_arg(s)

    from .export.commands import add_parsers
    add_parsers(sub, _workspace_arg)  # export, serve
    from .leaderboard.commands import add_parsers as leaderboard_parsers
    leaderboard_parsers(sub, _workspace_arg)  # leaderboard
    from .sweep.commands import add_parsers as sweep_parsers
    sweep_parsers(sub, _workspace_arg)  # sweep
    from .labels.commands import add_parsers as labels_parsers
    labels_parsers(sub, _workspace_arg)  # labels
    from .advisor.commands import add_parsers as advise_parsers
    advise_parsers(sub, _workspace_arg)  # advise: sets args.handler, as the verbs above do
    from .ratings.commands import add_parsers as rate; rate(sub, _workspace_arg)  # noqa: E702
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)  # INFO goes to the run's train.log, not the terminal
    console.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger().addHandler(console)
    try:
        return COMMANDS.get(args.command, lambda a: a.handler(a))(args)
    except (UserError, StudioError) as e:  # errors a user caused: one sentence, exit 2
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as e:  # a read-only or full disk, a locked registry
        where = getattr(args, "workspace", None) or os.environ.get("STUDIO_WORKSPACE") \
            or "./workspace"
        if (getattr(e, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS)
                or "readonly database" in str(e)) and not os.access(where, os.W_OK):
            print(f"error: The workspace {where} is read-only; runs can be listed, used for "
                  f"predict and eval, but this command writes: give write access or use "
                  f"another workspace (--workspace DIR).", file=sys.stderr)
            return 2
        print(f"error: the workspace {where} cannot be read or written ({first_line(e)}); "
              f"check that it exists, is writable and that the disk has free space, or pass "
              f"--workspace DIR.", file=sys.stderr)
        return 2


# ---- train -------------------------------------------------------------------------------

def job_from_args(args) -> JobConfig:
    from .jobargs import overrides_of
    overrides = overrides_of(args)
    if args.job:
        cfg = JobConfig.from_yaml(args.job)
    elif args.data and args.model:
        cfg = JobConfig()
    else:
        raise UserError("Give a job file (python -m studio train job.yaml) or both --data and "
                        "--model (python -m studio train --data reviews.csv --model minilm-l6).")
    from .jobargs import fill_job
    return fill_job(cfg, args, overrides)


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
    elif (address := _cluster_of(args)):  # a new job for the cluster: submit and follow it
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


def _cluster_of(args) -> str:
    """The cluster a new job goes to ('' for this machine): --cluster, else $STUDIO_CLUSTER."""
    from .backends import cluster_address
    address = cluster_address(getattr(args, "cluster", None))
    return "" if address.lower() in ("local", "none") else address


def _inside_run_folder(job: str, registry) -> bool:
    path = Path(job).resolve()
    return path.parent.parent == registry.runs_dir.resolve() and \
        registry.get(path.parent.name) is not None


# ---- runs / models / inspect / stop ----------------------------------------------------------

def cmd_runs(args) -> int:
    from .runs import Registry
    runs = Registry(args.workspace).list()
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], default=str, ensure_ascii=False))
        return 0
    if not runs:
        print("No runs yet. Start one with: python -m studio train --data FILE --model tiny-bert")
    for r in runs:
        m = r.metrics if isinstance(r.metrics, dict) else {}  # an index written before checks
        key = next((k for k in ("accuracy", "eval_loss", "train_loss")
                    if isinstance(m.get(k), (int, float))), None)
        score = f"{key}={m[key]:.4g}" if key else ""
        print(f"{r.id:40s} {r.status:8s} {r.task:14s} {r.model:18s} {score} {r.reason}".rstrip())
    return 0


def cmd_models(args) -> int:
    from .models import list_presets
    presets = list_presets()
    if args.json:
        print(json.dumps(presets, ensure_ascii=False))
        return 0
    for p in presets:
        flag = "offline" if p["offline"] else "download"
        note = " (untrained)" if p["untrained"] else ""
        print(f"{p['name']:24s} {p['family']:5s} {flag:9s} {p['description']}{note}")
    return 0


def cmd_inspect(args) -> int:
    from .data import inspect_file
    result = inspect_file(args.file, encoding=args.encoding, sheet=args.sheet,
                          unnamed_columns=args.unnamed_columns).to_dict()
    if args.json:
        print(json.dumps(result, default=str, ensure_ascii=False))
        return 0
    print(f"{args.file}: {result['format']}, {result['encoding']}, layout {result['layout']}, "
          f"{result['rows']} usable rows, task {result['task']}")
    print(f"columns: {', '.join(map(str, result['columns']))}")
    print(f"roles: {', '.join(f'{k}={v}' for k, v in result['roles'].items())}")
    if result.get("labels"):
        print(f"labels: {', '.join(f'{k} ({v})' for k, v in result['labels'].items())}")
    for p in result.get("problems", []):
        print(f"- [{p['action']}] {p['message']}")
    return 0


def cmd_stop(args) -> int:
    from .runs import Registry
    from .control import request_stop
    registry = Registry(args.workspace)
    run = registry.find(args.run)
    if run is None:
        raise UserError(f"No run '{args.run}'; see `python -m studio runs`.")
    registry.require_writable("stop a run")
    result = request_stop(registry, run)
    if result.outcome == "killed":  # a run on a cluster is killed there, through Ray
        from .backends import kill_on_cluster
        kill_on_cluster(run)
    print(result)
    return 0


# ---- predict / eval ------------------------------------------------------------------------

def quiet_libraries() -> None:
    """Loading bars and library deprecation warnings are noise in a prediction's output."""
    import warnings
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def cmd_predict(args) -> int:
    from .inference import load_for_cli, predict_file, predict_texts, predict_to_file
    from .runs import Registry
    quiet_libraries()
    lm = load_for_cli(Registry(args.workspace), args.run)
    if args.file and args.out and not args.json:  # streamed to the file, none kept in memory
        count = predict_to_file(lm, args.file, args.out, max_new_tokens=args.max_new_tokens)
        print(f"wrote {count} predictions to {args.out}")
        return 0
    if args.file:
        rows = predict_file(lm, args.file, args.out, max_new_tokens=args.max_new_tokens)
    elif args.text:
        rows = predict_texts(lm, args.text, max_new_tokens=args.max_new_tokens)
    else:
        raise UserError("Give --text \"...\" or --file inputs.csv to predict.")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
    elif args.out:
        print(f"wrote {len(rows)} predictions to {args.out}")
    else:
        for r in rows:
            probs = r.get("probabilities")
            extra = "  " + ", ".join(f"{k}={v:.3f}" for k, v in probs.items()) if probs else ""
            print(f"{r['prediction']}{extra}")
    return 0


def cmd_eval(args) -> int:
    from .inference import evaluate_file, load_for_cli
    from .runs import Registry
    quiet_libraries()
    lm = load_for_cli(Registry(args.workspace), args.run)
    metrics = evaluate_file(lm, args.file)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False, default=str))
        return 0
    for k, v in metrics.items():
        if isinstance(v, (int, float)):
            print(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}")
    return 0


# ---- export / serve ------------------------------------------------------------------------

def cmd_export(args) -> int:
    from .export.commands import run_export
    quiet_libraries()
    return run_export(args)


def cmd_serve(args) -> int:
    from .export.commands import run_serve
    quiet_libraries()
    return run_serve(args)


COMMANDS = {"train": cmd_train, "runs": cmd_runs, "predict": cmd_predict, "eval": cmd_eval,
            "models": cmd_models, "inspect": cmd_inspect, "stop": cmd_stop,
            "export": cmd_export, "serve": cmd_serve,
            "leaderboard": lambda args: args.handler(args),  # leaderboard.commands sets it
            "sweep": lambda args: args.handler(args),  # sweep.commands sets it
            "labels": lambda args: args.handler(args)}  # labels.commands sets it
