"""`python -m studio leaderboard [--json]` (listed in studio.cli.VERBS)."""
from __future__ import annotations

import json


def add_parsers(sub, workspace_arg) -> None:
    p = sub.add_parser("leaderboard", help="Runs on the same data, best first, with 95%% "
                                           "intervals and whether the best is really better.")
    p.add_argument("--json", action="store_true")
    workspace_arg(p)
    p.set_defaults(handler=run_leaderboard)  # studio.cli runs args.handler


def run_leaderboard(args) -> int:
    from ..runs import Registry
    from . import board, board_text
    groups = board(Registry(args.workspace))
    if args.json:
        print(json.dumps([g.to_dict() for g in groups], ensure_ascii=False, default=str))
    else:
        print(board_text(groups))
    return 0
