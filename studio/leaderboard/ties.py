"""Who gets the ★ when the best two runs tie on the main score, and the sentence that says why.

The main score is compared as the leaderboard shows it (points, one decimal): two runs that read
"100.0" and "100.0" tie for the person looking at the table, whatever the third decimal. A tie
breaks on the next metric, in order: macro-F1 (classification; higher is better), then time per
validation example (lower is better), then the older run. Without the sentence a ★ on one of
two equal scores looks arbitrary.
"""
from __future__ import annotations

import math

from .verdict import Verdict

SHOWN_DIGITS = 1  # the leaderboard's score column (components/leaderboard_view.table)


def shown(value: float) -> float:
    return round(value, SHOWN_DIGITS)


def order(entry) -> tuple:
    """Sort key, best first: main score as shown, macro-F1, time per example, age."""
    f1 = entry.macro_f1
    latency = entry.latency_ms
    return (-shown(entry.score.value), -f1 if f1 is not None else math.inf,
            latency if latency is not None else math.inf, entry.created)


def tie_note(first, second, metric: str) -> Verdict | None:
    """None unless `first` and `second` (ranked by `order`) tie on the main score; then which
    metric gave `first` the ★ and both values."""
    if shown(first.score.value) != shown(second.score.value):
        return None
    base = {"winner": first.label, "loser": second.label, "metric": metric,
            "score": f"{shown(first.score.value):.1f}"}
    if first.macro_f1 is not None and second.macro_f1 is not None \
            and first.macro_f1 != second.macro_f1:
        a, b = f"{first.macro_f1:.4f}", f"{second.macro_f1:.4f}"
        return Verdict("tie_macro_f1", {**base, "a": a, "b": b},
                       f"{first.label} and {second.label} tie on {metric} ({base['score']}); "
                       f"the ★ goes to {first.label} for its higher macro-F1 ({a} vs {b}).")
    if first.latency_ms is not None and second.latency_ms is not None \
            and first.latency_ms != second.latency_ms:
        a, b = f"{first.latency_ms:.2f}", f"{second.latency_ms:.2f}"
        return Verdict("tie_latency", {**base, "a": a, "b": b},
                       f"{first.label} and {second.label} tie on {metric} ({base['score']}); "
                       f"the ★ goes to {first.label}, the faster per example ({a} vs {b} ms).")
    return Verdict("tie_older", base,
                   f"{first.label} and {second.label} tie on {metric} ({base['score']}) and on "
                   f"every other metric; the ★ goes to {first.label}, the older run.")
