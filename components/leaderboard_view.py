"""Step 5's leaderboard: the runs trained on the same data, best first, each score with its
95% interval, and one sentence on whether the best run is really better than the runner-up.
From the table a run opens in Try ("Use this run") or goes to the Export panel above.

The engine (studio.leaderboard) ranks and tests; this module only shows its answer in the
page's language. Numbers stay numbers so the table sorts by clicking a column header.
"""
from __future__ import annotations

from dataclasses import replace

import gradio as gr
import pandas as pd

from . import fmt
from .common import Ctx, box, owner, wire
from .i18n import t, tr
from .verdicts import verdict_sentence

COLUMNS = ("run", "score", "ci", "gain", "macro_f1", "train", "speed", "size", "latency",
           "findings", "id")
# Share of the table's width per column: the header words fit without breaking mid-word.
WIDTHS = {"run": 16, "score": 9, "ci": 12, "gain": 8, "macro_f1": 8, "train": 9, "speed": 9,
          "size": 9, "latency": 10, "findings": 14,
          "id": 10}


def group_choices(groups, lang: str) -> list[tuple[str, str]]:
    return [(tr(lang, "lb_group_choice", data=g.data, task=tr(lang, "task_" + g.task),
                count=len(g.entries)), g.key) for g in groups]


def table(group, lang: str) -> pd.DataFrame:
    """The group's leaderboard, best first (★): numbers stay numbers (points, seconds) so a
    column sorts by value; the size reads like the Model step's (4.4M)."""
    classification = group.metric == "accuracy"
    shown = [c for c in COLUMNS if c != "macro_f1" or classification]
    rows = []
    for e in group.entries:
        s = e.score
        row = {"run": ("★ " if e.best else "") + e.label, "score": round(s.value, 1),
               "ci": "-" if s.low is None else f"{s.low:.1f} – {s.high:.1f}",
               "gain": _round(e.gain, 1),
               "macro_f1": _round(e.macro_f1, 4), "train": _round(e.train_seconds, 1),
               "speed": _round(e.samples_per_second, 1),
               "size": fmt.count(e.parameters),
               "latency": _round(e.latency_ms, 2),
               "findings": findings_cell(getattr(e, "findings", None), lang),
               "id": short_id(e.run_id)}
        rows.append([row[c] for c in shown])
    headers = [tr(lang, "lb_col_score_" + group.metric) if c == "score" else
               tr(lang, "lb_col_" + c) for c in shown]
    return pd.DataFrame(rows, columns=headers)


def findings_cell(findings, lang: str) -> str:
    """The advisor's findings stored with a run, a few words each in `lang` ("" for none):
    what to look at before trusting a score (studio.advisor.finding SHORT)."""
    from studio.advisor.finding import SHORT, short_text, show

    from .i18n import worded
    from .strings_zh import ZH_FINDING_SHORT
    words = []
    for f in findings or []:
        code, params = f.get("code", ""), f.get("params") or {}
        words.append(worded(lang, {"en": SHORT, "zh-CN": ZH_FINDING_SHORT}, code,
                            {k: show(v) for k, v in params.items()}, short_text(code, params)))
    return "; ".join(dict.fromkeys(words))  # still_learning twice reads once


def widths(frame) -> list[str]:
    shown = [c for c in COLUMNS if c != "macro_f1" or len(frame.columns) == len(COLUMNS)]
    total = sum(WIDTHS[c] for c in shown)
    return [f"{100 * WIDTHS[c] / total:.1f}%" for c in shown]


def short_id(run_id: str) -> str:
    """The random tail of a run id (what the Runs chart's legend shows): narrow enough for
    the table, unique enough to find the run."""
    return run_id[-12:]


def verdict_text(group, lang: str) -> str:
    """The verdict and the few-rows note of a group, as the page's sentences."""
    parts = []
    if group.verdict is not None:
        parts.append(box(verdict_sentence(group.verdict, lang),
                         "ok" if group.verdict.code == "beats" else "info"))
    tie = getattr(group, "tie", None)
    if tie is not None:  # why the ★ went to one of two equal scores
        worded = replace(tie, params={**tie.params, "metric": tr(lang, "metric_" + group.metric)})
        parts.append(box(verdict_sentence(worded, lang), "info"))
    if group.note is not None:
        parts.append(box(verdict_sentence(group.note, lang), "warning"))
    return "\n\n".join(parts)


def _round(value, digits):
    return None if value is None else round(float(value), digits)


# ---- handlers ----------------------------------------------------------------------------

def show(registry, key, lang, owner=None) -> dict:
    """Outputs group (choices, keeping the chosen data), table, verdict, run (the group's
    runs, the best chosen), ids (the table's run ids), empty."""
    from studio.leaderboard import board, find_group
    groups = board(registry, owner=owner)
    if not groups:
        return {"group": gr.update(choices=[], value=None), "table": None, "verdict": "",
                "run": gr.update(choices=[], value=None), "ids": [],
                "empty": box(tr(lang, "lb_empty"), "info")}
    group = find_group(groups, key)
    runs = [(f"{e.label} · {e.run_id}", e.run_id) for e in group.entries]
    return {"group": gr.update(choices=group_choices(groups, lang),
                               value=group.key),
            "table": gr.update(value=(frame := table(group, lang)), column_widths=widths(frame)),
            "verdict": verdict_text(group, lang),
            "run": gr.update(choices=runs, value=runs[0][1]), "ids": [v for _, v in runs],
            "empty": ""}


def picked_row(ids, frame, evt: gr.SelectData) -> dict:
    """A click on a table row chooses its run (the last column holds its short id; `ids` are
    the table's full run ids)."""
    try:
        if evt.row_value:  # the row as shown, whatever column it is sorted by
            short = str(evt.row_value[-1])
        else:
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            short = str(frame.iloc[int(row), -1])
    except (AttributeError, IndexError, TypeError, ValueError):
        return {}
    found = [i for i in ids or [] if short_id(i) == short]
    return {"run": found[0]} if found else {}


def to_export(run_id, lang) -> dict:
    """The chosen run goes to the Export panel (through the history's selection, which the
    panel follows). Outputs pick, message."""
    if not run_id:
        return {"message": box(tr(lang, "lb_pick_run"), "info")}
    return {"pick": [run_id], "message": box(tr(lang, "lb_export_chosen", run=run_id), "ok")}


def build(ctx: Ctx, pick, reload_btn, reopen, open_outputs: dict):
    """The leaderboard under the run history. `reopen(registry, selected, lang, owner)` is
    the Runs step's "open" (outputs `open_outputs`); returns the "Use this run" event."""
    registry = ctx.registry
    with gr.Accordion(t("lb_title"), open=True, elem_id="leaderboard"):
        gr.Markdown(t("lb_intro"))
        empty = gr.Markdown(elem_id="lb-empty")
        group = gr.Dropdown([], value=None, label=t("lb_group"), elem_id="lb-group")
        board_table = gr.Dataframe(interactive=False, wrap=True, elem_id="lb-table",
                                   elem_classes=["studio-table"])
        verdict = gr.Markdown(elem_id="lb-verdict")
        with gr.Row():
            run = gr.Dropdown([], value=None, label=t("lb_run"), elem_id="lb-run", scale=3)
            use_btn = gr.Button(t("lb_use"), variant="primary", elem_id="lb-use", scale=1)
            export_btn = gr.Button(t("lb_export"), elem_id="lb-export", scale=1)
        message = gr.Markdown(elem_id="lb-message")
        from .ratings_view import build as build_ratings  # Try's blind ratings, per pair
        build_ratings(ctx, reload_btn)
    ids = gr.State([])
    outputs = {"group": group, "table": board_table, "verdict": verdict, "run": run,
               "ids": ids, "empty": empty}

    def do_show(key, lang, request: gr.Request):
        return show(registry, key, lang, owner(ctx, request))

    def do_use(run_id, lang, request: gr.Request):
        return reopen(registry, [run_id] if run_id else [], lang, owner(ctx, request))

    for trigger in (ctx.tab["runs"].select, reload_btn.click):
        wire(trigger, do_show, [group, ctx.lang], outputs, show_progress="hidden")
    wire(group.input, do_show, [group, ctx.lang], outputs, api_name="leaderboard")
    wire(board_table.select, picked_row, [ids, board_table], {"run": run})
    wire(export_btn.click, to_export, [run, ctx.lang], {"pick": pick, "message": message})
    from .compare_view import build as build_compare
    build_compare(ctx, group, reload_btn)
    return wire(use_btn.click, do_use, [run, ctx.lang], {**open_outputs, "message": message})
