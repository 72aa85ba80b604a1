"""The `sweep` verb of `python -m studio` (listed in studio.cli.VERBS)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..config import TASKS
from ..errors import ConfigError
from .grid import GRID_KEYS, MAX_CANDIDATES

EPILOG = f"""examples:
  python -m studio sweep job.yaml --grid model.name=minilm-l6,tiny-bert train.learning_rate=5e-5,1e-4
  python -m studio sweep --data reviews.csv --grid model.name=minilm-l6,tiny-bert --budget-minutes 30

grid keys: {', '.join(GRID_KEYS)} (a key with one value just fixes it); at most
{MAX_CANDIDATES} candidates. Every candidate trains on the same split (same rows, same seed),
with early stopping on the validation loss, one after another; the leaderboard follows."""


def add_parsers(sub, workspace_arg) -> None:
    s = sub.add_parser("sweep", help="Try several models and settings on the same data and "
                                     "split, then compare them.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    s.add_argument("job", nargs="?", help="Job YAML file (the base job). Omit it and use "
                                          "--data.")
    s.add_argument("overrides", nargs="*", help="Dotted overrides of the base job, e.g. "
                                                "train.batch_size=8.")
    s.add_argument("--grid", nargs="+", required=True, metavar="KEY=V1,V2",
                   help="Settings to try, e.g. model.name=minilm-l6,tiny-bert "
                        "train.learning_rate=5e-5,1e-4.")
    s.add_argument("--data", help="Training data file (quick form).")
    s.add_argument("--model", help="The model when the grid does not vary model.name.")
    s.add_argument("--task", choices=TASKS)
    s.add_argument("--validation", help="Separate validation file.")
    s.add_argument("--budget-minutes", type=float, default=None,
                   help="Stop launching candidates once the estimate says the sweep would take "
                        "longer (measured from the first candidate's speed).")
    s.add_argument("--json", action="store_true", help="Print the candidates as JSON at the end.")
    from ..jobargs import cluster_arg
    cluster_arg(s)  # on a cluster the candidates train at once, as many as it has room for
    workspace_arg(s)
    s.set_defaults(handler=run_sweep)


def base_job(args):
    """The base JobConfig from a job file or the quick form, with paths made absolute."""
    from ..config import JobConfig
    from ..jobargs import overrides_of
    overrides = overrides_of(args)
    if args.job:
        cfg = JobConfig.from_yaml(args.job)
    elif args.data:
        cfg = JobConfig()
        if not args.model and not any(str(g).startswith("model.name=") for g in args.grid):
            raise ConfigError(code="sweep_no_model")
    else:
        raise ConfigError(code="sweep_no_job")
    from ..jobargs import fill_job
    return fill_job(cfg, args, overrides)


def run_sweep(args) -> int:
    from ..runs import Registry
    from .foreground import run_foreground
    from .grid import parse_grid
    from .progress import progress
    grid = parse_grid(args.grid)            # a wrong key or value: one sentence, exit 2
    base = base_job(args)
    if args.budget_minutes is not None and not args.budget_minutes > 0:
        raise ConfigError(code="sweep_budget_flag", value=args.budget_minutes)
    registry = Registry(args.workspace)
    say = (lambda text: None) if args.json else (lambda text: print(text, flush=True))
    from ..jobargs import cluster_of
    if (address := cluster_of(args)):
        from ..backends.follow import sweep_on_cluster
        sweep = sweep_on_cluster(registry, base, grid, args.budget_minutes, address, say=say)
    else:
        sweep = run_foreground(registry, base, grid, args.budget_minutes, say=say)
    lines = progress(registry, sweep.id)
    if args.json:
        print(json.dumps({"sweep": sweep.id, "note": sweep.note,
                          "candidates": [line.to_dict() for line in lines]},
                         ensure_ascii=False, default=str))
    else:
        print()
        print(final_table(registry, sweep.id, lines))
    return 1 if any(line.status == "failed" for line in lines) else 0


def final_table(registry, sweep_id: str, lines) -> str:
    """The leaderboard of the sweep's data (studio.leaderboard) once a candidate has scored
    rows, else a plain table of the candidates: name, status, main metric, train seconds."""
    from .. import leaderboard
    ids = {line.run_id for line in lines}
    groups = [g for g in leaderboard.board(registry, owner=None)
              if any(e.run_id in ids for e in g.entries)]  # the sweep's data only
    return leaderboard.board_text(groups) if groups else plain_table(lines)


def plain_table(lines) -> str:
    rows = [("candidate", "status", "metric", "train s")]
    for line in lines:
        score = f"{line.metric} {line.value:.4f}" if line.value is not None else "-"
        seconds = f"{line.train_seconds:.1f}" if line.train_seconds is not None else "-"
        rows.append((line.name, line.status, score, seconds))
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, width)).rstrip() for r in rows)
