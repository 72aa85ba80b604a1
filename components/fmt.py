"""The one place that turns numbers, durations and metric names into text for the page, in
the page's language: every step, table, chart and message formats through here.

Metric names stay the engine's keys (accuracy, macro_f1, eval_loss, ...) everywhere until they
are shown; `metric_name` translates a key (`metric_<key>` in the string tables) and leaves an
unknown one as the engine wrote it.
"""
from __future__ import annotations

import math

from studio.units import count  # noqa: F401 - a parameter or row count: 4.4M, 22.7k

from .i18n import LANGS, tr

# The metrics the page names first, in this order (tables, the Runs columns): the scores, then
# the losses (eval_loss, perplexity, train_loss), where lower is better.
SCORES = ("accuracy", "macro_f1", "bleu", "chrf", "rougeL", "exact_match", "eval_loss",
          "perplexity", "train_loss")


def number(value, digits: int = 4) -> str:
    """A number for reading: '-' for nothing, thousands separators for large values, `digits`
    significant digits otherwise (0.95, 0.6361, 28.92, 5e-05)."""
    if value is None or isinstance(value, bool):
        return "-" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(value):
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 10 ** digits:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def speed(value) -> str:
    """Samples per second: three significant digits (28.9, 412, 3.46)."""
    return number(value, 3)


def duration(seconds, lang: str) -> str:
    """'45 s', '3 min 05 s', '1 h 20 min' (Chinese: '45 秒', '3 分 05 秒', '1 小时 20 分')."""
    if seconds is None:
        return "-"
    s = max(0, int(round(float(seconds))))
    if s >= 3600:
        return tr(lang, "dur_hm", h=s // 3600, m=f"{(s % 3600) // 60:02d}")
    if s >= 60:
        return tr(lang, "dur_ms", m=s // 60, s=f"{s % 60:02d}")
    return tr(lang, "dur_s", s=s)


def metric_name(name: str, lang: str) -> str:
    """An engine metric key as the page says it ('macro_f1' -> 'Macro-F1' / '宏 F1');
    'before_<key>' reads 'before: <name>'."""
    name = str(name)
    if name.startswith("before_"):
        return tr(lang, "metric_before", name=metric_name(name[len("before_"):], lang))
    key = "metric_" + name
    return tr(lang, key) if key in LANGS["en"] else name


def metric(value) -> str:
    """A metric value with as many decimals as its size asks for, the same for a whole column
    (0.5000 next to 0.7500; 12.35; 123.4; 51,234)."""
    if not isinstance(value, (int, float)) or isinstance(value, (bool, int)) or \
            not math.isfinite(value):
        return number(value)
    size = abs(value)
    decimals = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 10 else 4
    return f"{value:,.{decimals}f}"


def metrics_line(metrics: dict, lang: str) -> str:
    """'Accuracy 0.95, Macro-F1 0.9499, ...' in the page's order, for a finished run."""
    shown = [k for k in SCORES if isinstance(metrics.get(k), (int, float))]
    shown += [k for k, v in metrics.items() if k not in shown and k != "steps" and
              not k.startswith("before_") and isinstance(v, (int, float))]
    return tr(lang, "list_sep").join(
        tr(lang, "metric_value", name=metric_name(k, lang), value=metric(metrics[k]))
        for k in shown)
