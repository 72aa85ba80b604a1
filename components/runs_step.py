"""Step 5 - Runs: the history from the registry, overlaid curves, reopen, delete."""
from __future__ import annotations

import time

import gradio as gr
import pandas as pd

from .common import Ctx, box, fmt_metric, mine, owner, wire
from .i18n import error_text, t, tr

SCORES = ("accuracy", "macro_f1", "eval_loss", "perplexity", "bleu", "rougeL", "train_loss")


def history(registry, lang: str, owner=None) -> pd.DataFrame:
    """The run table: every run in local mode, hosted `owner`'s runs only."""
    rows = []
    for r in registry.list(500, **mine(owner)):
        m = r.metrics or {}
        rows.append({tr(lang, "col_run"): r.id,
                     tr(lang, "col_status"): tr(lang, "status_" + r.status),
                     tr(lang, "col_task"): r.task, tr(lang, "col_model"): r.model,
                     tr(lang, "col_method"): r.method,
                     tr(lang, "col_created"): time.strftime("%Y-%m-%d %H:%M",
                                                            time.localtime(r.created)),
                     **{k: fmt_metric(m.get(k)) for k in SCORES if k in m},
                     tr(lang, "col_reason"): r.reason})
    return pd.DataFrame(rows)


def refresh(registry, selected, lang, owner=None) -> dict:
    """Outputs table (the history) and pick (the run picker, keeping what is still there)."""
    ids = [r.id for r in registry.list(500, **mine(owner))]
    keep = [s for s in (selected or []) if s in ids]
    return {"table": history(registry, lang, owner), "pick": gr.update(choices=ids, value=keep)}


def overlay(registry, selected, lang, owner=None) -> pd.DataFrame:
    """Train and eval loss of several runs in one table: series = '<run> train|eval'."""
    points = []
    for run_id in selected or []:
        run = registry.get(run_id, **mine(owner))
        if run is None:
            continue
        short = run.name if run.name and run.name != run.id else run.id[-12:]
        for e in registry.folder(run).events():
            if e.get("type") == "log" and e.get("loss") is not None:
                points.append({"step": e["step"], "value": e["loss"],
                               "series": f"{short} · {tr(lang, 'series_train')}"})
            elif e.get("type") == "eval" and e.get("phase") == "during" and \
                    (e.get("metrics") or {}).get("eval_loss") is not None:
                points.append({"step": e["step"], "value": e["metrics"]["eval_loss"],
                               "series": f"{short} · {tr(lang, 'series_eval')}"})
    return pd.DataFrame(points, columns=["step", "value", "series"])


def ask_delete(selected, lang) -> dict:
    """First click: show what will be deleted and the confirm button. Outputs message,
    confirm."""
    if not selected:
        return {"message": box(tr(lang, "runs_select_first"), "info"),
                "confirm": gr.update(visible=False)}
    return {"message": box(tr(lang, "runs_confirm_delete", runs=", ".join(selected)), "warning"),
            "confirm": gr.update(visible=True)}


def delete_runs(registry, cache, selected, lang, owner=None) -> dict:
    """Outputs message, confirm (hidden again). Someone else's run (hosted) is refused by the
    engine exactly like a missing one."""
    errors = []
    for run_id in selected or []:
        try:
            registry.delete(run_id, **mine(owner))
            cache.drop(run_id)
        except Exception as e:  # noqa: BLE001 - a running run says to stop it first
            errors.append(error_text(e, lang))
    text = box(" ".join(errors)) if errors else box(tr(lang, "runs_deleted",
                                                       count=len(selected or [])), "ok")
    return {"message": text, "confirm": gr.update(visible=False)}


def reopen(registry, selected, lang, owner=None) -> dict:
    """The first selected run goes to the playground and becomes this browser's run.
    Outputs run_id, try_source, message, tabs, try_tab."""
    from studio.errors import RunError
    from .try_step import run_choices
    if not selected:
        return {"message": box(tr(lang, "runs_select_first"), "info")}
    run_id = selected[0]
    if registry.get(run_id, **mine(owner)) is None:
        return {"message": box(error_text(RunError(f"No run '{run_id}'; see the run list.",
                                                   "no_run", run=run_id), lang))}
    return {"run_id": run_id, "try_source": gr.update(choices=run_choices(registry, owner),
                                                      value=run_id),
            "message": "", "tabs": gr.Tabs(selected="try"), "try_tab": gr.Tab(interactive=True)}


def build(ctx: Ctx) -> None:
    registry, cache = ctx.registry, ctx.cache
    with gr.Row():
        reload_btn = gr.Button(t("runs_refresh"), elem_id="runs-refresh")
    table = gr.Dataframe(label=t("runs_history"), interactive=False, wrap=True,
                         elem_id="runs-table")
    pick = gr.CheckboxGroup([], label=t("runs_select"), elem_id="runs-select")
    with gr.Row():
        compare_btn = gr.Button(t("runs_overlay"), elem_id="runs-overlay")
        open_btn = gr.Button(t("runs_open"), variant="primary", elem_id="runs-open")
        delete_btn = gr.Button(t("runs_delete"), variant="stop", elem_id="runs-delete")
        confirm_btn = gr.Button(t("runs_confirm"), variant="stop", visible=False,
                                elem_id="runs-confirm")
    message = gr.Markdown(elem_id="runs-message")
    curves = gr.State(None)

    @gr.render(inputs=curves)
    def draw(frame):
        # A new LinePlot per selection: an existing one keeps the series it was built with.
        gr.LinePlot(frame, x="step", y="value", color="series", label=t("runs_curves"),
                    height=340, elem_id="runs-plot")
    listing = {"table": table, "pick": pick}

    # Every handler acts for the request's owner (hosted: its own runs only).
    def do_refresh(sel, lang, request: gr.Request):
        return refresh(registry, sel, lang, owner(ctx, request))

    def do_overlay(sel, lang, request: gr.Request):
        return {"curves": overlay(registry, sel, lang, owner(ctx, request))}

    def do_delete(sel, lang, request: gr.Request):
        return delete_runs(registry, cache, sel, lang, owner(ctx, request))

    def do_reopen(sel, lang, request: gr.Request):
        return reopen(registry, sel, lang, owner(ctx, request))

    wire(reload_btn.click, do_refresh, [pick, ctx.lang], listing, api_name="list_runs")
    wire(ctx.tab["runs"].select, do_refresh, [pick, ctx.lang], listing)
    wire(compare_btn.click, do_overlay, [pick, ctx.lang], {"curves": curves},
         api_name="overlay")
    asking = {"message": message, "confirm": confirm_btn}
    wire(delete_btn.click, ask_delete, [pick, ctx.lang], asking)
    deleted = wire(confirm_btn.click, do_delete, [pick, ctx.lang], asking,
                   api_name="delete_runs")
    wire(deleted.then, do_refresh, [pick, ctx.lang], listing)
    wire(open_btn.click, do_reopen, [pick, ctx.lang],
         {"run_id": ctx.run_id, "try_source": ctx.parts["try_source"], "message": message,
          "tabs": ctx.tabs, "try_tab": ctx.tab["try"]}, api_name="reopen")
