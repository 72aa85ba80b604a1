"""The notice at the top of a page that opens while this owner has a run queued or training.

A second browser (or a new tab) opens on Data with Train disabled: without this it shows no
sign that a run is training, and only Runs -> Open would follow it. The engine says which runs
are active (studio.runs.ACTIVE, the registry's statuses); the notice names the newest one and
its button follows it on the Train step, exactly as Runs -> Open does. Hosted: only the
request's owner's runs count.
"""
from __future__ import annotations

import gradio as gr

from .common import Ctx, box, owner, wire
from .i18n import lang_of, t, tr


def active_run(registry, owner_value=None):
    """The newest queued or running run of this owner, or None."""
    return next(iter(reversed(registry.active(owner_value))), None)


def notice(registry, followed: str, lang: str, owner_value=None) -> dict:
    """Outputs notice, follow, active: shown when a run of this owner is queued or training
    and this page does not follow it already (a page that does opens on Train anyway)."""
    run = active_run(registry, owner_value)
    if run is None or run.id == followed:
        return {"notice": gr.update(value="", visible=False), "follow": gr.update(visible=False),
                "active": ""}
    text = tr(lang, "active_notice", run=run.name or run.id, model=run.model or "-",
              status=tr(lang, "status_" + run.status))
    return {"notice": gr.update(value=box(text, "info"), visible=True),
            "follow": gr.update(visible=True), "active": run.id}


def follow(registry, run_id: str, lang: str, owner_value=None) -> dict:
    """The button: this page follows the run on the Train step (still this owner's and still
    active; else the notice just goes). Outputs run_id, tabs, train_tab, notice, follow."""
    from studio.runs import ACTIVE
    run = registry.get(run_id, owner=owner_value) if run_id else None
    hidden = {"notice": gr.update(value="", visible=False), "follow": gr.update(visible=False)}
    if run is None or run.status not in ACTIVE:
        return hidden
    return {**hidden, "run_id": run.id, "tabs": gr.Tabs(selected="train"),
            "train_tab": gr.Tab(interactive=True)}


def build(ctx: Ctx) -> dict:
    """The notice and its button (hidden until a page load finds an active run)."""
    with gr.Row(elem_id="studio-active"):
        shown = gr.Markdown(visible=False, elem_id="active-notice")
        button = gr.Button(t("active_follow"), visible=False, variant="primary", scale=0,
                           elem_id="active-follow")
    return {"notice": shown, "follow": button, "active": gr.State("")}


def wire_up(demo: gr.Blocks, ctx: Ctx, parts: dict) -> None:
    registry = ctx.registry

    def on_page(run_id, request: gr.Request):
        # The language from the request: the page's own load may not have set ctx.lang yet.
        return notice(registry, run_id, lang_of(request), owner(ctx, request))

    wire(demo.load, on_page, [ctx.run_id], parts, show_progress="hidden",
         api_visibility="undocumented")

    def on_follow(active, lang, request: gr.Request):
        return follow(registry, active, lang, owner(ctx, request))

    followed = wire(parts["follow"].click, on_follow, [parts["active"], ctx.lang],
                    {"run_id": ctx.run_id, "tabs": ctx.tabs, "train_tab": ctx.tab["train"],
                     "notice": parts["notice"], "follow": parts["follow"]},
                    api_visibility="undocumented")
    form_widgets = ctx.form

    def show_settings(rid, lang, request: gr.Request):
        from .form import run_settings
        return {**run_settings(registry, rid, list(form_widgets), lang, owner(ctx, request)),
                "timer": gr.Timer(active=bool(rid))}  # follow it live, as Runs -> Open does

    wire(followed.then, show_settings, [ctx.run_id, ctx.lang],
         {"run_settings": ctx.run_settings, "timer": ctx.train_timer})
