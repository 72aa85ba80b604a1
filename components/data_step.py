"""Step 1 - Data: upload a file or pick a sample, see what the engine reads and every problem.

Handlers return {output name: value} (see common.wire); the names are those in OUTPUTS. The
data state this step produces (read by the Model and Train steps and form.job_config):
  path, validation_path   the files, kept in the workspace
  task, layout, rows, labels, valid
  roles                   role -> column, as the engine resolved them
  overrides               role -> column the user set by hand (the job's *_column fields)
  unnamed_columns         "join" | "exclude": what to do with text spilled into unnamed
                          columns (the job's data.unnamed_columns)
"""
from __future__ import annotations

import functools
from pathlib import Path

import gradio as gr
import pandas as pd

from studio.config import TASKS
from studio.data import ROLE_FIELDS

from .common import Ctx, box, confined_upload, keep_upload, sample_files, wire
from .i18n import error_text, problem_text, t, tr

ROLES = tuple(ROLE_FIELDS)            # the engine's one role table: role -> DataConfig field
UNNAMED = ("join", "exclude")
PREVIEW_ROWS = 20
OUTPUTS = ("summary", "table", *(f"role_{r}" for r in ROLES), "task", "chart", "problems",
           "unnamed", "state", "model_tab")


def empty_result(lang: str, message: str = "") -> dict:
    """Outputs of `inspect_data` when there is nothing (valid) to show: no table at all (an
    empty one shows a blank grid headed 1 2 3)."""
    return {"summary": message, "table": gr.update(value=None, visible=False),
            **{f"role_{r}": gr.update(choices=[""], value="") for r in ROLES},
            "task": gr.update(value="auto"), "chart": gr.update(value=None, visible=False),
            "problems": "", "unnamed": gr.update(visible=False), "state": {},
            "model_tab": gr.Tab(interactive=False)}


def inspect_data(path, val_path, task, overrides, lang, workspace=None,
                 unnamed: str = "join") -> dict:
    """Read the file with the engine and return everything the Data step shows.

    `overrides` are the roles the user changed by hand ({} = take the engine's guess); the
    returned state holds the file paths, the final roles, the task and whether it is valid.
    A second call for the same file (a role changed) reuses the engine's parsed frame.
    """
    from studio.data import inspect_file
    if not path:
        return empty_result(lang)
    unnamed = unnamed if unnamed in UNNAMED else "join"
    try:
        if workspace is not None:
            path, val_path = keep_upload(path, workspace), keep_upload(val_path, workspace)
        insp = inspect_file(path, roles=overrides or None, task=task or "auto",
                            validation_path=val_path or "", unnamed_columns=unnamed)
    except Exception as e:  # noqa: BLE001 - every engine error becomes one sentence
        return empty_result(lang, box(error_text(e, lang)))
    state = {"path": str(path), "validation_path": str(val_path or ""), "roles": insp.roles,
             "overrides": dict(overrides or {}), "task": insp.task, "rows": insp.rows,
             "labels": list(insp.labels), "layout": insp.layout,
             "valid": not insp.blocking and insp.rows > 0, "unnamed_columns": unnamed,
             "chinese": insp.chinese()}
    columns = [""] + list(insp.columns)
    spilled = any(p.kind == "unnamed_columns" for p in insp.problems)
    return {"summary": summary_text(insp, lang),
            "table": gr.update(value=(head := preview(insp.frame)), visible=True,
                               column_widths=preview_widths(head)),
            **{f"role_{r}": gr.update(choices=columns, value=insp.roles.get(r, ""))
               for r in ROLES},
            "task": gr.update(value=task if task in TASKS else "auto"),
            "chart": chart(insp, lang), "problems": problems_text(insp, lang),
            "unnamed": gr.update(value=unnamed, visible=spilled), "state": state,
            "model_tab": gr.Tab(interactive=state["valid"])}


def summary_text(insp, lang: str) -> str:
    """What was read. A file that lacks a column its task needs (one text column and no
    label) has no task yet: the summary then names none, and the problem below says what is
    missing and what to do."""
    name = Path(insp.path).name
    untasked = any(p.kind == "missing_column" for p in insp.blocking)
    line = tr(lang, "data_summary_no_task" if untasked else "data_summary", file=f"`{name}`",
              format=named_value(lang, "format", insp.format), encoding=insp.encoding or "-",
              rows=insp.rows, excluded=len(insp.excluded), task=tr(lang, "task_" + insp.task),
              layout=named_value(lang, "layout", insp.layout))
    if insp.labels:  # the file's own words, shown as such
        line += "  \n" + tr(lang, "data_labels", labels=", ".join(
            f"`{k}` ({v:,})" for k, v in insp.labels.items()))
    return line


def named_value(lang: str, kind: str, value: str) -> str:
    """A file format or layout as the page says it (layout 'pairs' -> 'input-target pairs' /
    '输入-目标对'); a format without words of its own in capitals (CSV, JSON)."""
    from .strings_en import EN
    key = f"{kind}_{value}"
    return tr(lang, key) if key in EN else str(value).upper()


def preview(frame: pd.DataFrame) -> pd.DataFrame:
    """The first rows, with long cells (and nested chat messages) shortened for the table."""
    head = frame.head(PREVIEW_ROWS).copy()
    for col in head.columns:
        head[col] = head[col].map(lambda v: _short(v))
    head.columns = [str(c) for c in head.columns]
    return head


def preview_widths(head: pd.DataFrame) -> list[str]:
    """Equal shares of the page's width: long cells wrap inside their column, so the last
    column (an alpaca file's "output") stays on screen instead of past a long instruction."""
    n = max(len(head.columns), 1)
    return [f"{100 / n:.2f}%"] * n


def _short(value, limit: int = 160) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def problems_text(insp, lang: str) -> str:
    if not insp.problems:
        return box(tr(lang, "data_no_problems"), "ok")
    kinds = {"blocking": "error", "excluded": "warning", "warning": "warning", "fixed": "info"}
    lines = [box(problem_text(p, lang), kinds.get(p.action, "info")) + rows_text(p, lang)
             for p in insp.problems]
    return "\n\n".join(lines)


def rows_text(p, lang: str) -> str:
    """' (rows 3, 4, 5, 6, 7 and 398 more)': the row numbers the engine kept as examples and
    how many it did not list."""
    if not p.rows:
        return ""
    more = p.count - len(p.rows)
    listed = ", ".join(map(str, p.rows))
    return " (" + (tr(lang, "data_rows_more", rows=listed, more=f"{more:,}") if more > 0
                   else tr(lang, "data_rows_listed", rows=listed)) + ")"


def chart(insp, lang: str):
    """Label distribution (classification) or a length histogram (generation)."""
    if insp.task == "classification" and insp.labels:
        df = pd.DataFrame({"label": list(insp.labels), "count": list(insp.labels.values())})
        return gr.update(value=df, x="label", y="count", visible=True, sort="-y",
                         y_lim=[0, max(df["count"]) * 1.1], title=tr(lang, "chart_labels"),
                         x_title=tr(lang, "axis_label"), y_title=tr(lang, "axis_count"),
                         x_label_angle=-30 if len(df) > 6 else 0)
    lengths = example_lengths(insp.examples)
    if lengths.empty:
        return gr.update(value=None, visible=False)
    names, counts = length_bins(lengths)
    df = pd.DataFrame({"characters": names, "count": counts})
    # The bins in their numeric order (a text sort put "4-7" after "34-37"); slanted labels
    # do not run into each other.
    return gr.update(value=df, x="characters", y="count", visible=True, sort=names,
                     y_lim=[0, max(counts) * 1.1], title=tr(lang, "chart_lengths"),
                     x_title=tr(lang, "axis_characters"), y_title=tr(lang, "axis_count"),
                     x_label_angle=-40)


def length_bins(lengths: pd.Series, most: int = 12) -> tuple[list[str], list[int]]:
    """Equal-width bins of round widths over the lengths: ('0-49', '50-99', ...), counts."""
    import math
    top = int(lengths.max())
    raw = max(1, math.ceil((top + 1) / most))
    width = next(w for w in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500,
                             5000, 10_000, 10 ** 9) if w >= raw)
    edges = range(int(lengths.min()) // width * width, top + 1, width)
    counts = [int(((lengths >= lo) & (lengths < lo + width)).sum()) for lo in edges]
    names = [f"{lo}-{lo + width - 1}" if width > 1 else str(lo) for lo in edges]
    return names, counts


def example_lengths(examples: pd.DataFrame) -> pd.Series:
    if "messages" in examples:
        return examples["messages"].map(
            lambda ms: sum(len(str(m.get("content", ""))) for m in (ms or []))).astype(int)
    cols = [c for c in ("prompt", "response", "text") if c in examples]
    if not cols:
        return pd.Series(dtype=int)
    return sum(examples[c].astype(str).str.len() for c in cols).astype(int)


def overrides_from(roles_now: list[str], state: dict) -> dict:
    """The roles the user set by hand: those that differ from the engine's guess."""
    guessed = (state or {}).get("roles", {})
    previous = dict((state or {}).get("overrides", {}))
    for role, value in zip(ROLES, roles_now):
        if value and value != guessed.get(role):
            previous[role] = value
    return previous


def build(ctx: Ctx) -> None:
    workspace = Path(ctx.registry.workspace)
    samples = sample_files()
    gr.Markdown(t("data_intro"))
    with gr.Row():
        with gr.Column(scale=2):
            upload = gr.File(label=t("data_upload"), type="filepath", elem_id="data-upload")
            sample = gr.Dropdown([""] + list(samples), value="", label=t("data_sample"),
                                 elem_id="data-sample")
            val_upload = gr.File(label=t("data_validation"), type="filepath")
        with gr.Column(scale=3):
            summary = gr.Markdown(elem_id="data-summary")
            problems = gr.Markdown(elem_id="data-problems", elem_classes=["studio-problems"])
            unnamed = gr.Radio([(t("data_unnamed_join"), "join"),
                                (t("data_unnamed_exclude"), "exclude")], value="join",
                               label=t("data_unnamed"), info=t("data_unnamed_info"),
                               visible=False, elem_id="data-unnamed")
            # No fixed height: a fixed one cut the axis labels off under the bars.
            plot = gr.BarPlot(visible=False, label=t("data_chart"), x="label", y="count",
                              elem_id="data-chart")
    with gr.Row():
        roles = [gr.Dropdown([""], value="", label=t("role_" + r), allow_custom_value=False,
                             elem_id=f"role-{r}") for r in ROLES]
        task = gr.Dropdown([(t("task_" + x), x) for x in TASKS], value="auto",
                           label=t("data_task"), elem_id="data-task")
    # The whole width, so every column of the file is in view.
    table = gr.Dataframe(label=t("data_preview"), interactive=False, wrap=True,
                         max_height=360, elem_id="data-preview", visible=False)
    outputs = {"summary": summary, "table": table,
               **{f"role_{r}": w for r, w in zip(ROLES, roles)}, "task": task, "chart": plot,
               "problems": problems, "unnamed": unnamed, "state": ctx.data,
               "model_tab": ctx.tab["model"]}
    from . import labels_panel  # "Check labels" under the preview: classification data only
    labels_panel.build(ctx, outputs, inspect_data)

    def on_file(path, val_path, lang, request: gr.Request):
        try:
            path = confined_upload(ctx, path, request, keep=True)
            val_path = confined_upload(ctx, val_path, request, keep=True)
        except Exception as e:  # noqa: BLE001 - a refused file is one sentence
            return empty_result(lang, box(error_text(e, lang)))
        return inspect_data(path, val_path, "auto", {}, lang, workspace)

    def on_sample(name, val_path, lang, request: gr.Request):
        if not name or name not in samples:
            return empty_result(lang)
        try:
            val_path = confined_upload(ctx, val_path, request, keep=True)
        except Exception as e:  # noqa: BLE001
            return empty_result(lang, box(error_text(e, lang)))
        return inspect_data(str(samples[name]), val_path, "auto", {}, lang, workspace)

    def on_change(request: gr.Request, path, val_path, task_value, state, lang, unnamed_value,
                  *roles_now):
        """A role, the task, the unnamed-columns choice or the validation file changed."""
        try:
            path = (state or {}).get("path") or confined_upload(ctx, path, request, keep=True)
            val_path = confined_upload(ctx, val_path, request, keep=True)
        except Exception as e:  # noqa: BLE001
            return empty_result(lang, box(error_text(e, lang)))
        return inspect_data(path, val_path, task_value, overrides_from(list(roles_now), state),
                            lang, workspace, unnamed_value)

    changed = [upload, val_upload, task, ctx.data, ctx.lang, unnamed, *roles]
    wire(upload.upload, on_file, [upload, val_upload, ctx.lang], outputs)
    wire(sample.input, on_sample, [sample, val_upload, ctx.lang], outputs)
    # One event for all of them (gr.on): each event is an endpoint the page and
    # /gradio_api/info describe with every input; "always_last" re-reads after a change made
    # while a read runs.
    wire(functools.partial(gr.on, [val_upload.upload, *(w.input for w in (*roles, task,
                                                                          unnamed))]),
         on_change, changed, outputs, trigger_mode="always_last")
