"""The whole page: five tabs over the engine, wired to the shared services."""
from __future__ import annotations

import gradio as gr

from . import data_step, model_step, runs_step, train_step, try_step
from .common import ASSETS, Ctx
from .i18n import build_i18n, lang_of, t

STEPS = ("data", "model", "train", "try", "runs")


def build_ui(registry, queue, cache) -> gr.Blocks:
    """The Blocks for one studio. `registry`, `queue` and `cache` are shared by every browser;
    per-browser state is created here as gr.State / gr.BrowserState components."""
    with gr.Blocks(title="Fine-tuning Studio") as demo:
        ctx = Ctx(registry, queue, cache)
        ctx.lang = gr.State("en")
        ctx.data = gr.State({})
        ctx.model = gr.State({})
        ctx.run_id = gr.BrowserState("", storage_key="studio_run_id")
        with gr.Row(elem_id="studio-header"):
            gr.Markdown(t("app_title"), elem_id="studio-title")
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
    return demo


def wire_load(demo: gr.Blocks, ctx: Ctx) -> None:
    """On page load: the browser's language, the preset table, and reattaching to the run
    this browser followed (its id is in BrowserState, so a reload lands back on it)."""
    registry = ctx.registry
    table, render_table = ctx.parts["preset_table"]

    def on_load(run_id, request: gr.Request):
        lang = lang_of(request)
        run = registry.get(run_id) if run_id else None
        has_done = any(r.status == "done" for r in registry.list(200))
        following = run is not None
        return (lang, render_table(lang), gr.Tab(interactive=following),
                gr.Tab(interactive=following or has_done),
                gr.Tabs(selected="train") if following and run.status in ("queued", "running")
                else gr.skip(), run_id if following else "")

    demo.load(on_load, [ctx.run_id],
              [ctx.lang, table, ctx.tab["train"], ctx.tab["try"], ctx.tabs, ctx.run_id])

    source = ctx.parts["try_source"]
    ctx.tab["try"].select(lambda rid, cur: try_step.source_update(registry, rid, cur),
                          [ctx.run_id, source], source)
    demo.load(lambda rid: try_step.source_update(registry, rid), ctx.run_id, source)


def launch_options() -> dict:
    """What launch() needs besides host and port: translations, theme, CSS."""
    return {"i18n": build_i18n(), "css_paths": [str(ASSETS / "studio.css")],
            "theme": gr.themes.Soft(), "favicon_path": str(ASSETS / "logo.png")
            if (ASSETS / "logo.png").exists() else None}
