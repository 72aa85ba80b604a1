"""The Resume button, on Runs (the first selected run) and on Train (the followed run).

It shows only for a run the engine says can resume (studio.resuming: stopped or failed, with a
checkpoint) and queues it through `JobQueue.resume`, the same `train --resume RUN` the CLI
runs; the page then follows the run on the Train step. Hosted: the engine refuses someone
else's run exactly like a missing one.
"""
from __future__ import annotations

import gradio as gr

from .common import Ctx, box, owner, wire
from .i18n import error_text, t, tr


def shown(registry, run_id, owner_value=None) -> dict:
    """Output resume: the button, visible only for a run that can resume."""
    from studio.resuming import can_resume
    run = registry.get(run_id, owner=owner_value) if run_id else None
    return {"resume": gr.update(visible=can_resume(run))}


def resume(queue, run_id, lang, owner_value=None, address=None) -> dict:
    """Queue the run again from its last checkpoint and follow it on Train. Outputs message,
    run_id, tail, timer, resume, tabs, train_tab (only message on a refusal)."""
    from studio.resuming import checkpoint_step
    from .live import new_tail
    if not run_id:
        return {"message": box(tr(lang, "runs_select_first"), "info")}
    try:
        run = queue.resume(run_id, owner=owner_value, address=address)
    except Exception as e:  # noqa: BLE001 - RunError etc. as one sentence
        return {"message": box(error_text(e, lang))}
    return {"message": box(tr(lang, "resume_started", run=run.id,
                              step=checkpoint_step(run) or 0), "ok"),
            "run_id": run.id, "tail": new_tail(run.id), "timer": gr.Timer(active=True),
            "resume": gr.update(visible=False), "tabs": gr.Tabs(selected="train"),
            "train_tab": gr.Tab(interactive=True)}


def button(where: str) -> gr.Button:
    return gr.Button(t("resume_button"), visible=False, elem_id=f"{where}-resume")


def wire_train(ctx: Ctx, btn, message, tail, status) -> None:
    """Train: the button follows the followed run's status line (it changes when the run
    ends, and when another run is followed)."""
    from .guard import request_address
    registry, queue, timer = ctx.registry, ctx.queue, ctx.train_timer

    def check(rid, request: gr.Request):
        return shown(registry, rid, owner(ctx, request))

    def do_resume(rid, lang, request: gr.Request):
        return resume(queue, rid, lang, owner(ctx, request), request_address(request))

    for trigger in (status.change, ctx.run_id.change):
        wire(trigger, check, [ctx.run_id], {"resume": btn}, show_progress="hidden",
             api_visibility="undocumented")
    wire(btn.click, do_resume, [ctx.run_id, ctx.lang],
         {"message": message, "run_id": ctx.run_id, "tail": tail, "timer": timer,
          "resume": btn, "tabs": ctx.tabs, "train_tab": ctx.tab["train"]}, api_name="resume")


def wire_runs(ctx: Ctx, btn, pick, message, listing: dict, refresh) -> None:
    """Runs: the button follows the first selected run; a resumed run is followed on Train
    and the run list shows it queued."""
    from .guard import request_address
    registry, queue = ctx.registry, ctx.queue

    def check(sel, request: gr.Request):
        return shown(registry, (sel or [None])[0], owner(ctx, request))

    def do_resume(sel, lang, request: gr.Request):
        out = resume(queue, (sel or [None])[0], lang, owner(ctx, request),
                     request_address(request))
        out.pop("tail", None)  # the Train step's poll reads the resumed attempt's events
        return out

    wire(pick.change, check, [pick], {"resume": btn}, show_progress="hidden",
         api_visibility="undocumented")
    done = wire(btn.click, do_resume, [pick, ctx.lang],
                {"message": message, "run_id": ctx.run_id, "resume": btn, "tabs": ctx.tabs,
                 "train_tab": ctx.tab["train"], "timer": ctx.train_timer},
                api_name="resume_run")
    wire(done.then, refresh, [pick, ctx.lang], listing)
