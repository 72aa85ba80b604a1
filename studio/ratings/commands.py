"""`python -m studio ratings [--json] [--export pairs.jsonl|votes.csv]` (listed in
studio.cli.VERBS): each pair of rated models with its win rate, interval and significance sentence."""
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
    p.add_argument("--judge", metavar="URL", default=None,
                   help="Also let a judge model behind this OpenAI-compatible endpoint (e.g. "
                        "http://localhost:11434/v1) rate the same pairs, and show how often "
                        "it agrees with the people's votes.")
    p.add_argument("--judge-model", default="", help="The judge's model name (with --judge).")
    p.add_argument("--judge-key", default="", help="API key for the judge endpoint, if any.")
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
    names = {r[k]: r["name_" + k[-1]] for r in rows for k in ("run_a", "run_b")}
    judged = judge_summary(args, RatingStore(registry.workspace).list(), names) \
        if args.judge else None
    if args.json:
        doc = {"pairs": rows}
        if written is not None:
            doc["export"] = written.__dict__
        if judged is not None:
            doc["judge"] = judged
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
    if judged is not None:
        print(f"judge {judged['model']}: agrees with {judged['agree']} of {judged['n']} votes "
              f"({judged['agreement'] * 100:.1f}%, 95% CI {judged['low'] * 100:.1f} to "
              f"{judged['high'] * 100:.1f})" if judged["n"] else "judge: no votes to compare")
        for r in judged["pairs"]:
            print(f"  judge: {r['verdict']['message']}")
    if written is not None:
        extra = f"; {written.left_out} ties and both-bad votes left out (no chosen answer)" \
            if written.left_out else ""
        print(f"wrote {written.rows} rows to {written.path}{extra}")
    return 0


def judge_summary(args, ratings, names: dict | None = None) -> dict:
    """The judge's votes on the rated pairs: its own pair rows and its agreement with people."""
    from dataclasses import replace
    from .judge import judge
    from .stats import pair_rows
    from .store import RatingError
    if not args.judge_model:
        raise RatingError(code="rating_judge_model")
    report = judge(args.judge, args.judge_model, ratings, args.judge_key)
    as_judged = [replace(r, vote=v) for r, v in zip(ratings, report.votes)]
    share = report.agreement
    return {"model": args.judge_model, "n": len(ratings), "agree": report.agree,
            "agreement": share.value, "low": share.low, "high": share.high,
            "votes": report.votes, "pairs": [s.to_dict() for s in pair_rows(as_judged, names)]}
