"""Step 1 - Data: upload a file or pick a sample, see what the engine reads and every problem."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import pandas as pd

from .common import ROLES, Ctx, box, display_name, keep_upload, sample_files
from .i18n import error_text, problem_text, t, tr

TASKS = ["auto", "classification", "chat", "text2text"]
PREVIEW_ROWS = 20


def empty_result(lang: str, message: str = ""):
    """Outputs of `inspect_data` when there is nothing (valid) to show."""
    return (message, gr.update(value=None), *[gr.update(choices=[""], value="") for _ in ROLES],
            gr.update(value="auto"), gr.update(value=None, visible=False), "", {},
            gr.Tab(interactive=False))


def inspect_data(path, val_path, task, overrides, lang, workspace=None):
    """Read the file with the engine and return everything the Data step shows.

    `overrides` are the roles the user changed by hand ({} = take the engine's guess); the
    returned state holds the file paths, the final roles, the task and whether it is valid.
    """
    from studio.data import inspect_file
    if not path:
        return empty_result(lang)
    try:
        if workspace is not None:
            path, val_path = keep_upload(path, workspace), keep_upload(val_path, workspace)
        insp = inspect_file(path, roles=overrides or None, task=task or "auto",
                            validation_path=val_path or "")
    except Exception as e:  # noqa: BLE001 - every engine error becomes one sentence
        return empty_result(lang, box(error_text(e, lang)))
    blocking = [p for p in insp.problems if p.action == "blocking"]
    state = {"path": str(path), "validation_path": str(val_path or ""), "roles": insp.roles,
             "overrides": dict(overrides or {}), "task": insp.task, "rows": insp.rows,
             "labels": list(insp.labels), "layout": insp.layout, "valid": not blocking
             and insp.rows > 0}
    columns = [""] + list(insp.columns)
    role_updates = [gr.update(choices=columns, value=insp.roles.get(r, "")) for r in ROLES]
    return (summary_text(insp, lang), gr.update(value=preview(insp.frame)), *role_updates,
            gr.update(value=task if task in TASKS else "auto"), chart(insp, lang),
            problems_text(insp, lang), state, gr.Tab(interactive=state["valid"]))


def summary_text(insp, lang: str) -> str:
    name = display_name(insp.path)
    line = tr(lang, "data_summary", file=name, format=insp.format, encoding=insp.encoding or "-",
              rows=insp.rows, excluded=len(insp.excluded), task=tr(lang, "task_" + insp.task),
              layout=insp.layout)
    if insp.labels:
        line += "  \n" + tr(lang, "data_labels", labels=", ".join(
            f"{k} ({v})" for k, v in insp.labels.items()))
    return line


def preview(frame: pd.DataFrame) -> pd.DataFrame:
    """The first rows, with long cells (and nested chat messages) shortened for the table."""
    head = frame.head(PREVIEW_ROWS).copy()
    for col in head.columns:
        head[col] = head[col].map(lambda v: _short(v))
    head.columns = [str(c) for c in head.columns]
    return head


def _short(value, limit: int = 160) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def problems_text(insp, lang: str) -> str:
    if not insp.problems:
        return box(tr(lang, "data_no_problems"), "ok")
    kinds = {"blocking": "error", "excluded": "warning", "warning": "warning", "fixed": "info"}
    lines = [box(problem_text(p, lang), kinds.get(p.action, "info")) +
             (f" ({tr(lang, 'data_rows')} {', '.join(map(str, p.rows))})" if p.rows else "")
             for p in insp.problems]
    return "\n\n".join(lines)


def chart(insp, lang: str):
    """Label distribution (classification) or a length histogram (generation)."""
    if insp.task == "classification" and insp.labels:
        df = pd.DataFrame({"label": list(insp.labels), "count": list(insp.labels.values())})
        return gr.update(value=df, x="label", y="count", visible=True,
                         y_lim=[0, max(df["count"]) * 1.1], title=tr(lang, "chart_labels"))
    lengths = example_lengths(insp.examples)
    if lengths.empty:
        return gr.update(value=None, visible=False)
    bins = pd.cut(lengths, bins=min(12, max(2, lengths.nunique())))
    counts = bins.value_counts(sort=False)
    df = pd.DataFrame({"characters": [f"{int(max(0, iv.left))}-{int(iv.right)}"
                                      for iv in counts.index], "count": counts.values})
    return gr.update(value=df, x="characters", y="count", visible=True,
                     y_lim=[0, max(df["count"]) * 1.1], title=tr(lang, "chart_lengths"))


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
    with gr.Row():
        roles = [gr.Dropdown([""], value="", label=t("role_" + r), allow_custom_value=False,
                             elem_id=f"role-{r}") for r in ROLES]
        task = gr.Dropdown(TASKS, value="auto", label=t("data_task"), elem_id="data-task")
    with gr.Row():
        table = gr.Dataframe(label=t("data_preview"), interactive=False, wrap=True,
                             max_height=360, elem_id="data-preview")
        plot = gr.BarPlot(visible=False, label=t("data_chart"), x="label", y="count",
                          height=300, elem_id="data-chart")
    outputs = [summary, table, *roles, task, plot, problems, ctx.data, ctx.tab["model"]]

    def on_file(path, val_path, lang):
        return inspect_data(path, val_path, "auto", {}, lang, workspace)

    def on_sample(name, val_path, lang):
        if not name:
            return empty_result(lang)
        return inspect_data(str(samples[name]), val_path, "auto", {}, lang, workspace)

    def on_roles(path, val_path, task_value, state, lang, *roles_now):
        path = (state or {}).get("path") or path
        return inspect_data(path, val_path, task_value, overrides_from(list(roles_now), state),
                            lang, workspace)

    upload.upload(on_file, [upload, val_upload, ctx.lang], outputs)
    sample.input(on_sample, [sample, val_upload, ctx.lang], outputs)
    val_upload.upload(on_roles, [upload, val_upload, task, ctx.data, ctx.lang, *roles], outputs)
    for widget in (*roles, task):
        widget.input(on_roles, [upload, val_upload, task, ctx.data, ctx.lang, *roles], outputs)
