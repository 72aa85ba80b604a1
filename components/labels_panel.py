"""Data step, "Check labels": the rows whose label the data contradicts, and a cleaned version.

Shown for classification data only. The engine (studio.labels) ranks the rows and writes the
version; this panel only shows the ranked rows in a table whose last column the user edits
(keep / relabel / exclude, in the page's language), offers "exclude all above a threshold", and
on "Save as a new version" hands the edits to the engine and makes the saved file the Data
step's file, so the next run trains on it and its job.yaml records the edits.
Hosted: the file checked is the one this browser's Data step holds (confined when it was
uploaded); the version is written under this owner's folder in the workspace's uploads.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import gradio as gr
import pandas as pd

from .common import Ctx, box, owner, wire
from .i18n import error_text, t, tr

ACTIONS = ("keep", "relabel", "exclude")
COLUMNS = ("row", "text", "given", "suggested", "confidence", "action")
SHOWN = 50  # rows in the table: the most suspicious ones


def action_word(lang: str, action: str) -> str:
    return tr(lang, "labels_action_" + action)


def action_of(value) -> str:
    """A cell of the action column -> keep / relabel / exclude, in either language."""
    from .i18n import LANGS
    text = str(value or "").strip().lower()
    for action in ACTIONS:
        words = {table.get("labels_action_" + action, "").lower() for table in LANGS.values()}
        if text in words | {action}:
            return action
    return "keep"


def table_of(suspects: list[dict], lang: str) -> pd.DataFrame:
    frame = pd.DataFrame([{**{c: s[c] for c in COLUMNS[:-1]},
                           "action": action_word(lang, "keep")} for s in suspects[:SHOWN]],
                         columns=list(COLUMNS))
    frame.columns = [tr(lang, "labels_col_" + c) for c in COLUMNS]
    return frame


def check(state: dict, lang: str, hosted: bool = False) -> dict:
    """Run the engine's finder on the Data step's file; the summary, the table, the report."""
    from studio.labels import check_file
    from studio.labels.finder import HOSTED_MAX_ROWS
    state = state or {}
    if not state.get("path") or state.get("task") != "classification":
        return {"labels_status": box(tr(lang, "labels_need_classification"), "warning"),
                "labels_table": gr.update(value=None, visible=False), "labels_report": {}}
    try:
        report = check_file(state["path"], state.get("roles") or None,
                            max_rows=HOSTED_MAX_ROWS if hosted else 0)
    except Exception as e:  # noqa: BLE001 - every engine error becomes one sentence
        return {"labels_status": box(error_text(e, lang)),
                "labels_table": gr.update(value=None, visible=False), "labels_report": {}}
    result = report.to_dict()
    per_class = ", ".join(f"`{k}` {v}" for k, v in report.per_class.items())
    line = tr(lang, "labels_summary", flagged=len(report.suspects), rows=report.rows,
              per_class=per_class, seconds=f"{report.seconds:.0f}")
    kept = {"path": state["path"], "roles": state.get("roles") or {},
            "suspects": result["suspects"]}
    return {"labels_status": box(line, "warning" if report.suspects else "ok"),
            "labels_table": gr.update(value=table_of(result["suspects"], lang),
                                      visible=bool(report.suspects)),
            "labels_threshold": report.threshold, "labels_report": kept}


def exclude_above(table, threshold: float, report: dict, lang: str) -> dict:
    """Every shown row at least `threshold` confident set to exclude; the others unchanged."""
    if table is None or not len(table):
        return {"labels_table": gr.skip()}
    table = table.copy()
    confidence, action = table.columns[4], table.columns[5]
    above = pd.to_numeric(table[confidence], errors="coerce") >= float(threshold)
    table.loc[above, action] = action_word(lang, "exclude")
    return {"labels_table": table}


def edits_of(table, report: dict) -> dict[int, str]:
    """row -> "exclude" | the suggested label, from the table's action column."""
    suggested = {int(s["row"]): s["suggested"] for s in (report or {}).get("suspects", [])}
    edits = {}
    if table is None:
        return edits
    for row, action in zip(table.iloc[:, 0], table.iloc[:, 5]):
        row, act = int(row), action_of(action)
        if act == "exclude":
            edits[row] = "exclude"
        elif act == "relabel" and row in suggested:
            edits[row] = suggested[row]
    return edits


def version_folder(workspace: Path, owner_value: str | None) -> Path:
    """Where saved versions go: the workspace's uploads, one folder per hosted owner (named by
    a hash, so no login or browser key is written into a path)."""
    who = hashlib.sha256(owner_value.encode()).hexdigest()[:12] if owner_value else "local"
    return Path(workspace) / "uploads" / "versions" / who


def save(table, report: dict, state: dict, lang: str, workspace: Path,
         owner_value: str | None) -> tuple[dict, str | None]:
    """Write the version with the engine; (outputs, the new file's path or None)."""
    from studio.labels import save_version
    report, state = report or {}, state or {}
    edits = edits_of(table, report)
    if not report.get("path") or report.get("path") != state.get("path"):
        return {"labels_status": box(tr(lang, "labels_check_first"), "warning")}, None
    if not edits:
        return {"labels_status": box(tr(lang, "labels_no_edits"), "info")}, None
    try:
        version = save_version(report["path"], edits, folder=version_folder(workspace,
                                                                            owner_value),
                               roles=report.get("roles") or None)
    except Exception as e:  # noqa: BLE001
        return {"labels_status": box(error_text(e, lang))}, None
    r = version.record
    line = tr(lang, "labels_saved", file=f"`{Path(version.path).name}`",
              excluded=len(r["excluded"]), relabelled=len(r["relabelled"]),
              fingerprint=version.fingerprint)
    return {"labels_status": box(line, "ok"), "labels_report": {}}, version.path


def build(ctx: Ctx, data_outputs: dict, inspect) -> None:
    """The panel under the Data step's preview; `inspect` is data_step.inspect_data and
    `data_outputs` its outputs, refreshed with the saved version."""
    workspace = Path(ctx.registry.workspace)
    with gr.Group(visible=False, elem_id="labels-panel") as panel:
        with gr.Row():
            check_btn = gr.Button(t("labels_check"), elem_id="labels-check", scale=0)
            # set by each check to the engine's default cut (the top 5% of the rows)
            threshold = gr.Slider(0.0, 1.0, value=0.8, step=0.01,
                                  label=t("labels_threshold"), elem_id="labels-threshold")
            exclude_btn = gr.Button(t("labels_exclude_above"), elem_id="labels-exclude-above",
                                    scale=0)
            save_btn = gr.Button(t("labels_save"), variant="primary", elem_id="labels-save",
                                 scale=0)
        status = gr.Markdown(elem_id="labels-summary")
        table = gr.Dataframe(interactive=True, wrap=True, max_height=420, visible=False,
                             static_columns=[0, 1, 2, 3, 4], elem_id="labels-table",
                             label=t("labels_table"))
    report = gr.State({})
    outputs = {"labels_status": status, "labels_table": table, "labels_report": report,
               "labels_threshold": threshold}

    def on_data(state):
        ok = bool((state or {}).get("valid")) and (state or {}).get("task") == "classification"
        return gr.update(visible=ok)

    ctx.data.change(on_data, ctx.data, panel)

    def on_check(state, lang):
        return check(state, lang, hosted=ctx.hosted)

    def on_save(table_value, report_value, state, lang, request: gr.Request):
        result, path = save(table_value, report_value, state, lang, workspace,
                            owner(ctx, request))
        if path is None:
            return result
        state = state or {}
        shown = inspect(path, state.get("validation_path") or "", "auto",
                        state.get("overrides") or {}, lang, workspace,
                        state.get("unnamed_columns") or "join")
        return {**shown, **result, "labels_table": gr.update(value=None, visible=False)}

    wire(check_btn.click, on_check, [ctx.data, ctx.lang], outputs)
    wire(exclude_btn.click, exclude_above, [table, threshold, report, ctx.lang],
         {"labels_table": table})
    wire(save_btn.click, on_save, [table, report, ctx.data, ctx.lang],
         {**data_outputs, **outputs})
