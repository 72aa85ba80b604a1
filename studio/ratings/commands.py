"""`python -m studio ratings [--json] [--export pairs.jsonl|votes.csv]` (studio.cli hands it its
args): each pair of rated models with its win rate, interval and significance sentence."""
from __future__ import annotations

import json


def add_parsers(sub, workspace_arg) -> None:
    p = sub.add_parser("ratings", help="Blind side-by-side votes: each pair's win rate with a "
                                       "95%% interval and a sign test; export them.")
    p.add_argument("--json", action="store_true")
    p.add_argument("--export", metavar="FILE", default=None,
                   help="Write the votes: a .csv gets every vote; any other name (e.g. "
                        "pairs.jsonl) gets preference pairs (prompt, chosen, rejected) for "
                        "TRL / LLaMA-Factory, without ties and both-bad votes.")
    workspace_arg(p)
    p.set_defaults(handler=run_ratings)  # studio.cli runs args.handler


def run_ratings(args) -> int:
    from ..runs import Registry
    from .export import export
    from .stats import leaderboard_rows
    from .store import RatingStore
    registry = Registry(args.workspace)
    rows = leaderboard_rows(registry)
    written = None
    if args.export:
        written = export(RatingStore(registry.workspace).list(), args.export)
    if args.json:
        doc = {"pairs": rows}
        if written is not None:
            doc["export"] = written.__dict__
        print(json.dumps(doc, ensure_ascii=False, default=str))
        return 0
    if not rows:
        print("No ratings yet. Rate two chat runs side by side on the Try step.")
    for r in rows:
        rate = "-" if r["low"] is None else \
            f"{r['win_rate'] * 100:.1f} ({r['low'] * 100:.1f}-{r['high'] * 100:.1f})"
        print(f"{r['name_a']} vs {r['name_b']}: {r['wins']}-{r['losses']}, {r['ties']} ties, "
              f"{r['both_bad']} both bad, win rate % {rate}, {r['ratings']} ratings")
        print(f"  {r['verdict']['message']}")
    if written is not None:
        extra = f"; {written.left_out} ties and both-bad votes left out (no chosen answer)" \
            if written.left_out else ""
        print(f"wrote {written.rows} rows to {written.path}{extra}")
    return 0
