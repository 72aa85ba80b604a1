"""The whole page: five tabs over the engine, wired to the shared services."""
from __future__ import annotations

import os

import gradio as gr

from studio.runs import ACTIVE

from . import data_step, form, model_step, runs_step, train_step, try_step
from .common import ASSETS, Ctx, owner, wire
from .i18n import build_i18n, lang_of, t, tr
from .run_picker import source_update

STEPS = ("data", "model", "train", "try", "runs")


def build_ui(registry, queue, cache, hosted: bool = False, policy=None,
             uploads=None) -> gr.Blocks:
    """The Blocks for one studio. `registry`, `queue` and `cache` are shared by every browser;
    per-browser state is created here as gr.State / gr.BrowserState components. `hosted`
    (with its studio.hosting.Policy and the studio.uploads.UploadBook the middleware fills) makes every
    handler act for its owner only and confine its inputs."""
    from studio.hosting import Policy
    from studio.uploads import UploadBook
    policy = policy or (Policy.hosted_defaults() if hosted else Policy.local())
    with gr.Blocks(title="Fine-tuning Studio") as demo:
        ctx = Ctx(registry, queue, cache, hosted=hosted, policy=policy,
                  uploads=uploads if uploads is not None else UploadBook())
        ctx.lang = gr.State("en")
        ctx.data = gr.State({})
        ctx.model = gr.State({})
        ctx.run_id = gr.BrowserState("", storage_key="studio_run_id")
        with gr.Row(elem_id="studio-header"):
            gr.Markdown(t("app_title"), elem_id="studio-title")
            if hosted and os.environ.get("OAUTH_CLIENT_ID"):  # a Space with hf_oauth: true
                gr.LoginButton(elem_id="studio-login")  # runs then belong to the HF account
        ctx.mode = gr.Markdown(mode_text(ctx, "en"), elem_id="studio-mode")
        from . import active_notice  # "a run of yours is training": shown above every step
        active = active_notice.build(ctx)
        with gr.Tabs(selected="data", elem_id="studio-tabs") as ctx.tabs:
            tabs = {}
            for step in STEPS:
                tabs[step] = gr.Tab(t("tab_" + step), id=step, elem_id=f"tab-{step}",
                                    interactive=step in ("data", "runs"), render=False)
            ctx.tab = tabs
            for step, module in zip(STEPS, (data_step, model_step, train_step, try_step,
                                            runs_step)):
                with tabs[step].render():
                    module.build(ctx)
        for wire in ctx.later:
            wire()
        wire_load(demo, ctx)
        active_notice.wire_up(demo, ctx, active)
    return demo


def mode_text(ctx: Ctx, lang: str) -> str:
    """The header line that says which mode the studio is in and, hosted, every limit."""
    from studio.config import JobConfig
    p = ctx.policy
    if not ctx.hosted:
        return tr(lang, "mode_local", upload=p.max_upload_mb)
    return tr(lang, "mode_hosted", upload=p.max_upload_mb, rows=f"{p.max_rows:,}",
              labels=JobConfig().data.max_labels, jobs=p.max_jobs_per_owner,
              minutes=p.max_train_minutes, disk=f"{p.max_disk_mb_per_owner:,}",
              days=p.anonymous_retention_days)


def on_load(registry, run_id, owner=None, lang: str = "en") -> dict:
    """What a page shows when it opens: the Train tab when this browser follows a run (its id
    is in BrowserState, so a reload lands back on it; on the Train step while it trains), the
    Try tab once any run is done. Outputs train_tab, try_tab, tabs, run_id, try_source.
    Hosted, only `owner`'s runs count: a run id planted in the browser's storage that belongs
    to someone else is dropped like a missing one."""
    run = registry.get(run_id, owner=owner) if run_id else None
    following = run is not None
    has_done = any(r.status == "done" for r in registry.list(200, owner=owner))
    out = {"train_tab": gr.Tab(interactive=following),
           "try_tab": gr.Tab(interactive=following or has_done),
           "run_id": run_id if following else "",
           "try_source": source_update(registry, run_id if following else "", owner=owner,
                                       lang=lang)}
    if following and run.status in ACTIVE:
        out["tabs"] = gr.Tabs(selected="train")
    return out


def wire_load(demo: gr.Blocks, ctx: Ctx) -> None:
    """On page load: the browser's language, the preset table, and reattaching to the run
    this browser followed."""
    registry = ctx.registry
    table, render_table = ctx.preset_table
    source = ctx.try_source

    form_widgets = ctx.form

    def load(run_id, request: gr.Request):
        lang, who = lang_of(request), owner(ctx, request)
        out = {"lang": lang, "preset_table": render_table(lang), "mode": mode_text(ctx, lang),
               **on_load(registry, run_id, who, lang), **train_step.plot_titles(lang)}
        # The run this browser follows shows its own settings, read-only (never the form's).
        return {**out, **form.run_settings(registry, out["run_id"], list(form_widgets), lang,
                                           who)}

    # New outputs go at the end: API clients read the run id as the second output.
    wire(demo.load, load, [ctx.run_id],
         {"lang": ctx.lang, "preset_table": table, "train_tab": ctx.tab["train"],
          "try_tab": ctx.tab["try"], "tabs": ctx.tabs, "run_id": ctx.run_id,
          "try_source": source, "mode": ctx.mode, **ctx.plots,
          "run_settings": ctx.run_settings}, api_name="load")

    def try_selected(rid, cur, lang, request: gr.Request):
        return {"try_source": source_update(registry, rid, cur, owner=owner(ctx, request),
                                            lang=lang)}

    wire(ctx.tab["try"].select, try_selected, [ctx.run_id, source, ctx.lang],
         {"try_source": source})


def launch_options() -> dict:
    """What launch() needs besides host and port: translations, theme, CSS, and the script
    that words gradio's hard-coded English in the page's language. No gradio call history
    (its footer link "Runs" is English on every page and reads as the studio's Runs step; the
    studio keeps its own runs)."""
    from .gradio_words import head_script
    return {"i18n": build_i18n(), "head": head_script(), "run_history": False,
            "css_paths": [str(ASSETS / "studio.css")],
            "theme": gr.themes.Soft(), "favicon_path": str(ASSETS / "logo.png")
            if (ASSETS / "logo.png").exists() else None}
