""""Is the difference real?" for the best run and the runner-up, as a code, its params and one
English sentence (the page translates the code, like a StudioError's).

Classification: McNemar's exact test on the rows both runs scored decides (p < 0.05), the
standard test for two classifiers on one test set, and the gap's interval is the one that
test implies (studio.leaderboard.stats.mcnemar_exact). Generation: the paired bootstrap
interval of the per-row chrF difference decides (it must not contain 0). Scores and gaps are
in points (0-100).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .scores import RowScores, paired
from .stats import CONFIDENCE, Interval, mcnemar_exact, paired_difference

ALPHA = 1 - CONFIDENCE
FEW_ROWS = 30  # below this many scored rows an interval is wide; the page says so


@dataclass
class Verdict:
    """code: beats | not_significant | level | same | no_shared_rows |
    few_rows_classification | few_rows_generation."""
    code: str
    params: dict = field(default_factory=dict)
    message: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params), "message": self.message}


def points(value) -> str:
    return f"{value:.1f}"


def decide(winner: str, loser: str, a: RowScores, b: RowScores) -> Verdict:
    """The verdict for `winner` (scores a) against `loser` (scores b) on their shared rows."""
    keys, sa, sb = paired(a, b)
    base = {"winner": winner, "loser": loser, "n": len(keys)}
    if not keys:
        return Verdict("no_shared_rows", base,
                       f"{winner} and {loser} were scored on different validation rows, so "
                       f"they cannot be compared row by row; train both on the same data with "
                       f"the same validation split to compare them.")
    if sa == sb:
        return Verdict("same", base, f"{winner} and {loser} score exactly the same on the "
                                     f"{len(keys)} validation rows they share.")
    if a.metric == "accuracy":
        test = mcnemar_exact([s > 0 for s in sa], [s > 0 for s in sb])
        diff = Interval(test.diff.value * 100, test.diff.low * 100, test.diff.high * 100,
                        len(keys))
        extra = {"test": "McNemar", "p": f"{test.p_value:.3g}", "a_only": test.a_only,
                 "b_only": test.b_only}
        significant = test.p_value < ALPHA
        how = f"McNemar p = {extra['p']}, {len(keys)} rows"
    else:
        diff = paired_difference(sa, sb)
        extra = {"test": "paired bootstrap", "p": ""}
        significant = diff.low > 0 or diff.high < 0
        how = f"paired bootstrap, {len(keys)} rows"
    params = {**base, "diff": points(diff.value), "low": points(diff.low),
              "high": points(diff.high), **extra}
    ci = f"95% CI {params['low']} to {params['high']}"
    if significant:
        return Verdict("beats", params, f"{winner} beats {loser} by {params['diff']} points "
                                        f"({ci}; {how}).")
    if params["diff"] in ("0.0", "-0.0"):
        params["diff"] = "0.0"
        return Verdict("level", params, f"{winner} and {loser} get the same score, though not "
                                        f"on the same rows ({ci}; {how}).")
    return Verdict("not_significant", params,
                   f"{winner} scores {params['diff']} points above {loser}, but the difference "
                   f"is not significant ({ci}; {how}).")


def few_rows_note(n: int, metric: str) -> Verdict | None:
    """A warning when a group's runs were scored on few rows (generation: only the generated
    samples are scored, 8 by default)."""
    if n >= FEW_ROWS:
        return None
    what = ("Only {n} generated samples per run were scored, so the intervals are wide; raise "
            "train.generation_samples for a sharper answer.") if metric != "accuracy" else \
        ("Only {n} validation rows per run were scored, so the intervals are wide; a larger "
         "validation set gives a sharper answer.")
    return Verdict("few_rows_" + ("generation" if metric != "accuracy" else "classification"),
                   {"n": n}, what.format(n=n))
