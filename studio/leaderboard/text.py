"""The leaderboard as plain text for the terminal (`python -m studio leaderboard`, and the end
of `python -m studio sweep`)."""
from __future__ import annotations

from ..units import count as size  # parameter counts: 134.5M

COLUMNS = ("", "run", "score (95% CI)", "gain", "train", "samples/s", "params", "ms/example",
           "id")
METRIC_NAMES = {"accuracy": "accuracy, %", "chrf": "chrF per sample"}


def board_text(groups) -> str:
    if not groups:
        return ("No finished run with validation results yet; train one with: python -m "
                "studio train --data FILE --model tiny-bert")
    return "\n\n".join(group_text(g) for g in groups)


def group_text(group) -> str:
    head = (f"{group.data} ({group.task}, data {group.fingerprint[:12]}): "
            f"{METRIC_NAMES.get(group.metric, group.metric)}")
    rows = [COLUMNS] + [(
        "*" if e.best else "", e.label, interval(e.score), signed(e.gain),
        seconds(e.train_seconds), number(e.samples_per_second), size(e.parameters),
        number(e.latency_ms), e.run_id) for e in group.entries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = [head] + ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    for extra in (group.verdict, group.note):
        if extra is not None:
            lines.append(extra.message)
    return "\n".join(lines)


def interval(score) -> str:
    if score.low is None:
        return f"{score.value:.1f}"
    return f"{score.value:.1f} ({score.low:.1f}-{score.high:.1f}, n={score.n})"


def signed(value) -> str:
    return "-" if value is None else f"{value:+.1f}"


def seconds(value) -> str:
    return "-" if value is None else f"{value:.1f} s"


def number(value) -> str:
    return "-" if value is None else f"{value:.3g}"
