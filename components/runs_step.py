"""Step 5 - Runs: the history from the registry, overlaid curves, reopen, delete."""
from __future__ import annotations

import time

import gradio as gr
import pandas as pd

from studio.runs import ACTIVE

from . import charts, fmt
from .common import Ctx, box, owner, wire
from .i18n import code_text, error_text, t, tr

FIXED = ("run", "status", "task", "model", "method", "created")
# The scores that tell runs apart, in this order whatever the newest run is (the rest are in
# the Try step's before/after table).
RUN_SCORES = ("accuracy", "macro_f1", "bleu", "rougeL", "eval_loss")


def history(registry, lang: str, owner=None) -> pd.DataFrame:
    """The run table: every run in local mode, hosted `owner`'s runs only. Its columns are the
    same whatever the newest run is: run and status, every score any run has (in the page's
    order, by their names: in view next to the run), the other facts, then the note."""
    runs = registry.list(500, owner=owner)
    shown = {r.id: scores_of(registry, r) for r in runs}
    scores = [k for k in RUN_SCORES if any(k in shown[r.id] for r in runs)]
    rows = []
    for r in runs:
        m = shown[r.id]
        rows.append([r.id, tr(lang, "status_" + r.status),
                     *(fmt.metric(m.get(k)) for k in scores),
                     tr(lang, "task_" + r.task) if r.task else "-", r.model,
                     tr(lang, "choice_" + r.method) if r.method else "-",
                     time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created)),
                     " ".join(filter(None, (note(registry, r, lang), scores_note(m, lang))))])
    columns = [tr(lang, "col_" + c) for c in FIXED[:2]] + \
        [fmt.metric_name(k, lang) for k in scores] + \
        [tr(lang, "col_" + c) for c in FIXED[2:]] + [tr(lang, "col_reason")]
    return pd.DataFrame(rows, columns=columns)


def scores_of(registry, run) -> dict:
    """A run's final metrics; for a stopped run without them, its last evaluation's (a run
    stopped after evaluating at step 10 showed "-" for every score)."""
    m = run.metrics or {}
    if run.status != "stopped" or any(k in m for k in RUN_SCORES):
        return m
    from .live import apply_event, last_eval, new_tail
    tail = new_tail(run.id)
    for e in registry.folder(run).events():
        if e.get("type") == "eval":
            apply_event(tail, e)
    last = last_eval(tail)
    return {**m, **last[1], "_step": last[0]} if last else m


def scores_note(scores: dict, lang: str) -> str:
    """Says that a stopped run's scores are its last evaluation's, and at which step."""
    step = scores.get("_step")
    return "" if step is None else tr(lang, "runs_scores_from_step", step=step)


def note(registry, run, lang: str) -> str:
    """Why a run ended the way it did, in `lang`: a failure or a stop by its code from that
    language's catalogue (live.failure_text); a stop without a code as `run_stopped_note`
    words it (the engine's sentence in English)."""
    from .live import failure_text
    if not run.reason:
        return ""
    final = registry.folder(run).final_event() or {} if run.status in ("stopped", "failed") \
        else {}
    if run.status == "failed":
        return failure_text(final, lang, run.reason)
    if run.status == "stopped":
        return (code_text(lang, final.get("code"), final.get("params")) or
                tr(lang, "run_stopped_note", reason=run.reason))
    return tr(lang, "err_engine_fallback", detail=run.reason)


def refresh(registry, selected, lang, owner=None) -> dict:
    """Outputs table (the history) and pick (the run picker, keeping what is still there)."""
    ids = [r.id for r in registry.list(500, owner=owner)]
    keep = [s for s in (selected or []) if s in ids]
    return {"table": history(registry, lang, owner), "pick": gr.update(choices=ids, value=keep)}


def overlay(registry, selected, lang, owner=None) -> pd.DataFrame:
    """Train and eval loss of several runs in one table, read the way the Train step reads a
    run (eval loss before, during and after training): series = '<run> · train|eval'."""
    from .live import apply_event, new_tail
    points = []
    for run_id in selected or []:
        run = registry.get(run_id, owner=owner)
        if run is None:
            continue
        short = run.label if run.named else run.id[-12:]  # two unnamed runs of one model stay apart
        tail = new_tail(run.id)
        for e in registry.folder(run).events():
            apply_event(tail, e)
        for key in ("train", "eval"):  # each run's train curve, then its eval curve
            points += [{**p, "series": f"{short} · {charts.series_name(key, lang)}"}
                       for p in tail["loss"] if p["series"] == key]
    return pd.DataFrame(points, columns=["step", "value", "series"])


def ask_delete(selected, lang) -> dict:
    """First click: show what will be deleted with the confirm and Cancel buttons (a question
    needs a way to say no). Outputs message, confirm, cancel."""
    if not selected:
        return {"message": box(tr(lang, "runs_select_first"), "info"), **asked(False)}
    return {"message": box(tr(lang, "runs_confirm_delete", runs=", ".join(selected)), "warning"),
            **asked(True)}


def asked(showing: bool) -> dict:
    """The confirm and Cancel buttons, shown together or hidden together."""
    return {"confirm": gr.update(visible=showing), "cancel": gr.update(visible=showing)}


def cancel_delete(lang) -> dict:
    """Cancel: nothing is deleted; the question and its buttons go."""
    return {"message": "", **asked(False)}


def delete_runs(registry, cache, selected, lang, owner=None) -> dict:
    """Outputs message, confirm and cancel (hidden again). Someone else's run (hosted) is refused by the
    engine exactly like a missing one."""
    errors = []
    for run_id in selected or []:
        try:
            from .limits import delete_run  # its staged downloads and their links go too
            delete_run(registry, cache, run_id, owner)
        except Exception as e:  # noqa: BLE001 - a running run says to stop it first
            errors.append(error_text(e, lang))
    text = box(" ".join(errors)) if errors else box(tr(lang, "runs_deleted",
                                                       count=len(selected or [])), "ok")
    return {"message": text, **asked(False)}


def reopen(registry, selected, lang, owner=None) -> dict:
    """The first selected run becomes this browser's run: a queued or running one is followed
    live on the Train step (what a second browser does to watch a run), a finished one opens
    in the playground. Outputs run_id, try_source, message, tabs, try_tab, train_tab."""
    from studio.errors import RunError
    from .run_picker import source_update
    if not selected:
        return {"message": box(tr(lang, "runs_select_first"), "info")}
    run_id = selected[0]
    run = registry.get(run_id, owner=owner)
    if run is None:
        return {"message": box(error_text(RunError(f"No run '{run_id}'; see the run list.",
                                                   "no_run", run=run_id), lang))}
    live = run.status in ACTIVE
    runs = source_update(registry, run_id, owner=owner, lang=lang)
    return {"run_id": run_id, "try_source": runs, "message": "",
            "tabs": gr.Tabs(selected="train" if live else "try"),
            "train_tab": gr.Tab(interactive=True),
            "try_tab": gr.Tab(interactive=bool(runs["choices"]))}


def build(ctx: Ctx) -> None:
    registry, cache = ctx.registry, ctx.cache
    with gr.Row():
        reload_btn = gr.Button(t("runs_refresh"), elem_id="runs-refresh")
    table = gr.Dataframe(label=t("runs_history"), interactive=False, wrap=True,
                         elem_id="runs-table", elem_classes=["studio-table"])
    pick = gr.CheckboxGroup([], label=t("runs_select"), elem_id="runs-select")
    with gr.Row():
        compare_btn = gr.Button(t("runs_overlay"), elem_id="runs-overlay")
        open_btn = gr.Button(t("runs_open"), variant="primary", elem_id="runs-open")
        delete_btn = gr.Button(t("runs_delete"), variant="stop", elem_id="runs-delete")
        confirm_btn = gr.Button(t("runs_confirm"), variant="stop", visible=False,
                                elem_id="runs-confirm")
        cancel_btn = gr.Button(t("runs_cancel_delete"), visible=False, elem_id="runs-cancel")
        from . import resume_button  # the first selected run, when it can resume
        resume_btn = resume_button.button("runs")
    message = gr.Markdown(elem_id="runs-message")
    from . import advice_view  # the first selected run's findings; its button fills Train
    advice, _ = advice_view.panel(ctx, "runs", to_train=True)
    wire(pick.change, advice_view.runs_advice(ctx, registry), [pick, ctx.lang], advice,
         show_progress="hidden", api_visibility="undocumented")
    curves = gr.State(None)

    @gr.render(inputs=[curves, ctx.lang])
    def draw(frame, lang):
        # A new chart per selection, its legend naming each run's curves.
        charts.line_plot(t("runs_curves"), "runs-plot", value=frame,
                         **charts.titles(lang or "en", "axis_loss"))
    listing = {"table": table, "pick": pick}
    from .leaderboard_view import build as build_board  # the leaderboard, two side by side
    used = build_board(ctx, pick, reload_btn, reopen, {
        "run_id": ctx.run_id, "try_source": ctx.try_source, "tabs": ctx.tabs,
        "try_tab": ctx.tab["try"], "train_tab": ctx.tab["train"]})
    from .export_panel import build as build_export  # the Export panel, under the curves
    build_export(ctx, pick, reload_btn)

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
    asking = {"message": message, "confirm": confirm_btn, "cancel": cancel_btn}
    wire(delete_btn.click, ask_delete, [pick, ctx.lang], asking)
    wire(cancel_btn.click, cancel_delete, [ctx.lang], asking)
    deleted = wire(confirm_btn.click, do_delete, [pick, ctx.lang], asking,
                   api_name="delete_runs")
    wire(deleted.then, do_refresh, [pick, ctx.lang], listing)
    resume_button.wire_runs(ctx, resume_btn, pick, message, listing, do_refresh)
    opened = wire(open_btn.click, do_reopen, [pick, ctx.lang],
                  {"run_id": ctx.run_id, "try_source": ctx.try_source,
                   "message": message, "tabs": ctx.tabs, "try_tab": ctx.tab["try"],
                   "train_tab": ctx.tab["train"]}, api_name="reopen")
    form_widgets = ctx.form
    shown = {"run_settings": ctx.run_settings, "timer": ctx.train_timer}

    def show_settings(rid, lang, request: gr.Request):
        from .form import run_settings
        return {**run_settings(registry, rid, list(form_widgets), lang, owner(ctx, request)),
                "timer": gr.Timer(active=bool(rid))}  # follow it (a stopped timer restarts)

    # The Train step shows the opened run's settings, read-only: the form stays the next job.
    wire(opened.then, show_settings, [ctx.run_id, ctx.lang], shown)
    wire(used.then, show_settings, [ctx.run_id, ctx.lang], shown)  # "Use this run"
