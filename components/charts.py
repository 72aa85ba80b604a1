"""Line charts whose legend can be read: every curve chart of the page is made and fed here.

Gradio's LinePlot puts the legend under the chart; with a fixed `height` the legend was cut
off below the plot (only its title showed), so these charts take the height they need.
A LinePlot builds its chart (the legend's series included) from the first table it gets and
afterwards only swaps the data: a series that shows up later would never be drawn, and a
chart update that also changes a setting drops the new data. So a chart starts empty (None)
for each run and its first table already holds every series it will draw (an empty point for
those without data yet). Series, axes and legend titles are translated here; the points keep
the engine's keys.
"""
from __future__ import annotations

import pandas as pd

from . import fmt
from .i18n import tr

COLUMNS = ("step", "value", "series")


def line_plot(label, elem_id: str, **kwargs):
    """A curve chart: x step, y value, one colour per series, legend underneath, room for it."""
    import gradio as gr
    titles = {"x_title": "step", "y_title": "value", "color_title": "series", **kwargs}
    return gr.LinePlot(x="step", y="value", color="series", label=label, elem_id=elem_id,
                       **titles)


def titles(lang: str, y_key: str) -> dict:
    """The axis and legend titles of a curve chart in `lang`, as LinePlot arguments."""
    return {"x_title": tr(lang, "axis_step"), "y_title": tr(lang, y_key),
            "color_title": tr(lang, "axis_series")}


def series_name(key: str, lang: str) -> str:
    """A curve's name: train / eval / lr, or a metric key."""
    if key in ("train", "eval", "lr"):
        return tr(lang, "series_" + key)
    return fmt.metric_name(key, lang)


ORDER = ("train", "eval", "lr", *fmt.SCORES)


def frame(points: list[dict], lang: str, name=series_name) -> pd.DataFrame:
    """Points -> the chart's table, series in the page's order (train before eval, accuracy
    before macro-F1: the legend's order and colours), each named in `lang`."""
    table = pd.DataFrame(points, columns=list(COLUMNS))
    keys = list(dict.fromkeys(table["series"]))
    rank = {k: (ORDER.index(k) if k in ORDER else len(ORDER), i) for i, k in enumerate(keys)}
    table = table.iloc[sorted(range(len(table)), key=lambda i: rank[table["series"].iat[i]])]
    table["series"] = [name(s, lang) for s in table["series"]]
    return table.reset_index(drop=True)


def curves(points: list[dict], lang: str, expected=(), name=series_name, span=None):
    """A curve chart's table, or None (an empty chart) when there is no point: every series
    in `expected` is in it from the first table on, and it has at least two rows (a
    one-point first table left the chart without axes). While every point is at one step,
    an empty point at step `span` (the run's last step) gives the x axis its length."""
    if not points:
        return None
    present = {p["series"] for p in points}
    step = points[0]["step"]
    pad = [{"step": step, "value": float("nan"), "series": s} for s in expected
           if s not in present]
    if all(p["step"] == step for p in points):
        pad.append({"step": span if span and span != step else step, "value": float("nan"),
                    "series": points[0]["series"]})
    return frame(pad + points, lang, name)
