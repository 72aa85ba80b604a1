"""`python -m studio advise RUN [--json]`: the training-health findings of a run, each with
the overrides to pass to `python -m studio train` (listed in studio.cli.VERBS)."""
from __future__ import annotations

import json


def add_parsers(sub, workspace_arg) -> None:
    p = sub.add_parser("advise", help="What a run's curves and outputs say (overfitting, "
                                      "learning rate, ...) and the settings to try next.")
    p.add_argument("run", help="Run id (or a unique prefix, or its name).")
    p.add_argument("--json", action="store_true")
    workspace_arg(p)
    p.set_defaults(handler=run_advise)  # studio.cli runs args.handler


def run_advise(args) -> int:
    from ..errors import RunError
    from ..runs import Registry, RunFolder
    from .report import findings
    registry = Registry(args.workspace)
    run = registry.find(args.run)
    if run is None:
        raise RunError(code="no_run_in", run=args.run, workspace=str(registry.workspace))
    found = findings(RunFolder(run.run_dir))  # from the run's files as they are now
    if args.json:
        print(json.dumps({"run": run.id, "findings": [
            {**x.to_dict(), "overrides": x.overrides()} for x in found]},
            ensure_ascii=False, default=str))
        return 0
    if not found:
        print(f"{run.id}: nothing to report; the curves look healthy.")
        return 0
    for x in found:
        print(f"- {x.sentence}")
        if x.suggestion:
            print(f"  try: python -m studio train {RunFolder(run.run_dir).job_file} "
                  f"{' '.join(x.overrides())}")
    return 0
