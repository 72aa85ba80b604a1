"""The Train step's "Try several" panel: a few models and values in, one run per combination.

The engine does the work (`studio.sweep`): it parses and checks the grid, expands it into named
candidates, refuses an impossible model/task pair before anything is queued, and queues the
candidates on the shared split. This panel gathers the choices, says how many runs they make,
starts them for this browser's owner and shows one line per candidate, updated by a timer.
"""
from __future__ import annotations

import functools
import html

import gradio as gr

from studio.sweep.grid import METHODS

from . import fmt, form
from .common import Ctx, box, owner, wire
from .i18n import error_text, t, tr

POLL_SECONDS = 1.0


def model_choices(task: str) -> list[tuple[str, str]]:
    """(label, name) of the presets that can learn `task` (all of them for 'auto'); the ones
    that work offline first."""
    from studio.models import TASK_FAMILIES, list_presets
    families = TASK_FAMILIES.get(task, ("bert", "gpt", "t5"))
    presets = [p for p in list_presets() if p["family"] in families]
    presets.sort(key=lambda p: (not p["offline"], p["untrained"]))
    out = []
    for p in presets:
        mark = "✱" if p["untrained"] else ("✔" if p["offline"] else "☁")
        out.append((f"{mark} {p['name']} ({p['family'].upper()})", p["name"]))
    return out


def split_values(text) -> list[str]:
    return [v.strip() for v in str(text or "").replace("，", ",").split(",") if v.strip()]


def grid_items(models, extra, lrs, epochs, methods) -> list[str]:
    """What the user picked as the engine's `key=a,b` grid items (empty boxes vary nothing)."""
    names = list(dict.fromkeys([*(models or []), *split_values(extra)]))
    items = [f"model.name={','.join(names)}"] if names else []
    for key, text in (("train.learning_rate", lrs), ("train.epochs", epochs)):
        if split_values(text):
            items.append(f"{key}={','.join(split_values(text))}")
    if methods:
        items.append(f"method.method={','.join(methods)}")
    return items


def base_and_grid(data_state, model_state, paths, values, picks):
    """(base JobConfig, grid) from the Data step, the settings form and the panel; raises the
    engine's StudioError for a wrong value."""
    from studio.sweep import parse_grid
    grid = parse_grid(grid_items(*picks))
    chosen = (grid.get("model.name") or [(model_state or {}).get("name", "")])[0]
    # The Train step's job, settled the same way (studio.jobs.applies); the Model step's facts
    # only describe its own model, so another chosen model has its family looked up.
    model = model_state if (model_state or {}).get("name") == chosen else {"name": chosen}
    base = form.settled_job(data_state, model or {}, dict(zip(paths, values)))[0]
    return base, grid


def count(data_state, model_state, lang, paths, values, picks) -> dict:
    """How many runs the choices make (the engine's expansion), on the Start button and in one
    line naming them. Outputs: count, start."""
    from studio.sweep import expand
    if not (data_state or {}).get("valid"):
        return {"count": box(tr(lang, "sweep_need_data"), "info"),
                "start": gr.update(value=tr(lang, "sweep_start"), interactive=False)}
    if not list(picks[0] or []) and not split_values(picks[1]):
        return {"count": box(tr(lang, "sweep_need_model"), "info"),
                "start": gr.update(value=tr(lang, "sweep_start"), interactive=False)}
    try:
        base, grid = base_and_grid(data_state, model_state, paths, values, picks)
        names = [c.name for c in expand(base, grid)]
    except Exception as e:  # noqa: BLE001 - a StudioError as one sentence
        return {"count": box(error_text(e, lang)),
                "start": gr.update(value=tr(lang, "sweep_start"), interactive=False)}
    return {"count": tr(lang, "sweep_count", n=len(names), names="; ".join(names)),
            "start": gr.update(value=tr(lang, "sweep_start_n", n=len(names)),
                               interactive=True)}


def start(queue, data_state, model_state, lang, paths, values, picks, budget, owner_value=None,
          policy=None, address=None) -> dict:
    """Check every candidate and queue them for this owner (hosted limits apply: a slot per
    owner, the disk share). Outputs: sweep_id, message, lines."""
    from studio import sweep as engine

    from .limits import disk_refusal
    if not (data_state or {}).get("valid"):
        return {"message": box(tr(lang, "sweep_need_data"))}
    full = disk_refusal(queue.registry, owner_value, policy, lang)
    if full:
        return {"message": box(full)}
    try:
        base, grid = base_and_grid(data_state, model_state, paths, values, picks)
        if "model.name" not in grid:
            return {"message": box(tr(lang, "sweep_need_model"))}
        minutes = float(budget) if budget not in (None, "", 0) else None
        made = engine.start(queue, base, grid, owner=owner_value or "",
                            budget_minutes=minutes, address=address)
    except Exception as e:  # noqa: BLE001 - a StudioError as one sentence
        return {"message": box(error_text(e, lang))}
    return {"sweep_id": made.id,
            "message": box(tr(lang, "sweep_started", n=len(made.entries)), "ok"),
            "lines": lines_html(queue.registry, made.id, lang, owner_value)}


def lines_html(registry, sweep_id, lang, owner_value=None) -> str:
    """One line per candidate: name, status, step / total, the latest main metric; then the
    budget's sentence when it left candidates out."""
    from studio import sweep as engine
    try:
        lines = engine.progress(registry, sweep_id, owner=owner_value)
        record = engine.load(registry.workspace, sweep_id, owner=owner_value)
    except Exception:  # noqa: BLE001 - a sweep that is gone (or someone else's): nothing
        return ""
    items = []
    for line in lines:
        key = f"sweep_status_{line.status}" if line.status in ("waiting", "skipped") \
            else f"status_{line.status}"
        score = tr(lang, "metric_value", name=fmt.metric_name(line.metric, lang),
                   value=fmt.metric(line.value)) if line.value is not None else ""
        text = tr(lang, "sweep_line", name=line.name, status=tr(lang, key), step=line.step,
                  total=line.total, score=score)
        items.append(f'<li class="sweep-line" data-status="{html.escape(line.status)}">'
                     f"{html.escape(text)}</li>")
    note = tr(lang, "sweep_budget_note", **record.note_params) if record.note_params else ""
    note = f'<p class="sweep-note">{html.escape(note)}</p>' if note else ""
    return f'<ul class="sweep-lines">{"".join(items)}</ul>{note}'


def build(ctx: Ctx, widgets: dict) -> None:
    """The panel, under the Train step's settings; `widgets` is the settings form (path ->
    component), whose values every candidate shares."""
    registry, queue = ctx.registry, ctx.queue
    paths, values = list(widgets), list(widgets.values())
    with gr.Accordion(t("sweep_title"), open=False, elem_id="sweep-panel"):
        gr.Markdown(t("sweep_intro"))
        models = gr.CheckboxGroup(choices=model_choices("auto"), label=t("sweep_models"),
                                  info=t("sweep_models_info"), elem_id="sweep-models")
        extra = gr.Textbox(label=t("sweep_extra"), info=t("sweep_extra_info"),
                           elem_id="sweep-extra")
        with gr.Row():
            lrs = gr.Textbox(label=t("sweep_lrs"), info=t("sweep_lrs_info"),
                             placeholder="5e-5, 1e-4", elem_id="sweep-lrs")
            epochs = gr.Textbox(label=t("sweep_epochs"), info=t("sweep_epochs_info"),
                                placeholder="1, 3", elem_id="sweep-epochs")
            methods = gr.CheckboxGroup(choices=[(t("choice_" + m), m) for m in METHODS],
                                       label=t("sweep_methods"), elem_id="sweep-methods")
            budget = gr.Number(value=None, label=t("sweep_budget"),
                               info=t("sweep_budget_info"), minimum=0, elem_id="sweep-budget")
        count_md = gr.Markdown(elem_id="sweep-count")
        start_btn = gr.Button(t("sweep_start"), variant="primary", interactive=False,
                              elem_id="sweep-start")
        message = gr.Markdown(elem_id="sweep-message")
        lines = gr.HTML(elem_id="sweep-progress")
    sweep_id = gr.BrowserState("", storage_key="studio_sweep_id")
    timer = gr.Timer(POLL_SECONDS)
    picks = [models, extra, lrs, epochs, methods]

    def sweep_count(data_state, model_state, lang, m, x, lr, ep, me, *vals):
        return count(data_state, model_state, lang, paths, vals, (m, x, lr, ep, me))

    def sweep_start(request: gr.Request, data_state, model_state, lang, m, x, lr, ep, me, bud,
                 *vals):
        from .guard import request_address
        return start(queue, data_state, model_state, lang, paths, vals, (m, x, lr, ep, me),
                     bud, owner(ctx, request), ctx.policy, request_address(request))

    def sweep_poll(sid, lang, request: gr.Request):
        if sid:  # the owner is here: their queued candidate keeps its place
            queue.owner_present(owner(ctx, request))
        return {"lines": lines_html(registry, sid, lang, owner(ctx, request))} if sid else {}

    def sweep_choices(data_state, model_state):
        """The presets that can learn the data's task, this page's model ticked."""
        choices = model_choices((data_state or {}).get("task", "auto"))
        name = (model_state or {}).get("name", "")
        return {"models": gr.update(choices=choices,
                                    value=[name] if name in {v for _, v in choices} else [])}

    count_inputs = [ctx.data, ctx.model, ctx.lang, *picks, *values]
    count_outputs = {"count": count_md, "start": start_btn}
    # One event for every trigger (one endpoint in the page's API description, not nine).
    triggers = [models.change, methods.change, extra.blur, lrs.blur, epochs.blur,
                extra.submit, lrs.submit, epochs.submit, ctx.lang.change]
    wire(functools.partial(gr.on, triggers), sweep_count, count_inputs, count_outputs,
         show_progress="hidden", concurrency_id="sweep-count", concurrency_limit=1,
         trigger_mode="always_last")
    for trigger in (ctx.data.change, ctx.model.change):
        wire(trigger, sweep_choices, [ctx.data, ctx.model], {"models": models},
             show_progress="hidden")
    wire(start_btn.click, sweep_start, [ctx.data, ctx.model, ctx.lang, *picks, budget, *values],
         {"sweep_id": sweep_id, "message": message, "lines": lines}, api_name="sweep_start")
    wire(timer.tick, sweep_poll, [sweep_id, ctx.lang], {"lines": lines}, show_progress="hidden")
