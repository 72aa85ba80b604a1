"""`python -m studio ...`: every verb, from one table.

Each entry of VERBS is a module whose `add_parsers(sub, workspace_arg)` adds its verbs and sets
`args.handler` (the litgpt shape: one place lists the commands, each module owns its own).
Every command prints one clear line on stderr and exits 2 when something a user did is wrong;
`--json` makes the reading verbs print one JSON document.
"""
from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import sqlite3
import sys

from .errors import StudioError
from .jobargs import UserError, workspace_arg
from .models import first_line

VERBS = (
    "studio.train_command",         # train
    "studio.run_commands",          # runs, predict, eval, models, inspect, stop
    "studio.export.commands",       # export, serve
    "studio.leaderboard.commands",  # leaderboard
    "studio.sweep.commands",        # sweep
    "studio.labels.commands",       # labels
    "studio.advisor.commands",      # advise
    "studio.ratings.commands",      # ratings
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m studio",
                                     description="Fine-tuning Studio: fine-tune BERT, GPT and T5 "
                                                 "models on your own data.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in VERBS:
        importlib.import_module(module).add_parsers(sub, workspace_arg)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)  # INFO goes to the run's train.log, not the terminal
    console.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger().addHandler(console)
    try:
        return args.handler(args)
    except (UserError, StudioError) as e:  # errors a user caused: one sentence, exit 2
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as e:  # a read-only or full disk, a locked registry
        print(f"error: {workspace_sentence(args, e)}", file=sys.stderr)
        return 2


def workspace_sentence(args, e: Exception) -> str:
    where = getattr(args, "workspace", None) or os.environ.get("STUDIO_WORKSPACE") \
        or "./workspace"
    if (getattr(e, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS)
            or "readonly database" in str(e)) and not os.access(where, os.W_OK):
        return (f"The workspace {where} is read-only; runs can be listed, used for predict "
                f"and eval, but this command writes: give write access or use another "
                f"workspace (--workspace DIR).")
    return (f"the workspace {where} cannot be read or written ({first_line(e)}); check that "
            f"it exists, is writable and that the disk has free space, or pass --workspace DIR.")
