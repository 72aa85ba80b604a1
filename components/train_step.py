"""Step 3 - Train: settings from the config metadata, Start/Stop, live curves and progress.

Training runs in a child process started by the JobQueue (`python -m studio train
runs/<id>/job.yaml`); this page only reads the run's files, so a reload or a closed tab never
touches the run. The run id lives in gr.BrowserState, so a reloaded page reattaches.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import gradio as gr

from . import form, live
from .common import Ctx, box, fmt_seconds
from .i18n import error_text, t, tr
from .try_step import source_update

POLL_SECONDS = 1.0


def cli_command(run, workspace: Path) -> str:
    """The command that does the same as the Start button, from the project folder."""
    job = Path(run.run_dir) / "job.yaml"
    try:
        job = job.relative_to(Path(os.getcwd()))
    except ValueError:
        pass
    cmd = f"python -m studio train {job}"
    default_ws = Path(os.environ.get("STUDIO_WORKSPACE") or "workspace").resolve()
    if Path(workspace).resolve() != default_ws:
        cmd += f" --workspace {workspace}"
    return cmd


def start_run(queue, data_state, model_state, lang, paths, values):
    """Fill a JobConfig and submit it; (run id, tail, message, command, yaml file)."""
    if not (data_state or {}).get("valid"):
        return gr.skip(), gr.skip(), box(tr(lang, "train_need_data")), gr.skip(), gr.skip()
    if not (model_state or {}).get("name"):
        return gr.skip(), gr.skip(), box(tr(lang, "train_need_model")), gr.skip(), gr.skip()
    try:
        cfg = form.job_config(data_state, model_state, dict(zip(paths, values)))
        run = queue.submit(cfg)
    except Exception as e:  # noqa: BLE001 - ConfigError etc. as one sentence
        return gr.skip(), gr.skip(), box(error_text(e, lang)), gr.skip(), gr.skip()
    command = f"```bash\n{cli_command(run, queue.registry.workspace)}\n```"
    return (run.id, live.new_tail(run.id), box(tr(lang, "train_started", run=run.id), "ok"),
            command, gr.update(value=str(Path(run.run_dir) / "job.yaml"), visible=True))


def stop_run(queue, run_id, lang):
    if not run_id:
        return box(tr(lang, "train_nothing_to_stop"), "info")
    run = queue.registry.get(run_id)
    if run is None or run.status not in ("queued", "running"):
        return box(tr(lang, "train_not_running"), "info")
    stop_file = Path(run.run_dir) / "STOP"
    first = not stop_file.exists()
    queue.stop(run_id)
    return box(tr(lang, "train_stop_asked" if first else "train_killed"), "warning")


def poll(registry, queue, run_id, tail, lang):
    """One timer tick: read only the new events and redraw what changed.

    Outputs: loss, metric, lr frames, log, progress, status, tail, header, Try tab,
    command, job.yaml button, Try's run list (refreshed when the run ends). A fresh tail (new run, reloaded page) starts at offset 0 once.
    """
    n_out = 12
    if not run_id:
        return (gr.skip(),) * n_out
    run = registry.get(run_id)
    if run is None:
        return (gr.skip(),) * 7 + ("",) + (gr.skip(),) * 4
    fresh = not tail or tail.get("run_id") != run_id
    if fresh:
        tail = live.new_tail(run_id)
    tail, changed = live.advance(tail, Path(run.run_dir))
    position = queue.position(run_id)
    if not changed and not fresh:
        return (gr.skip(),) * 4 + (live.progress_html(tail, lang, position),) + \
            (gr.skip(),) * (n_out - 5)
    final = tail.get("final")
    extra = (f"```bash\n{cli_command(run, registry.workspace)}\n```",
             gr.update(value=str(Path(run.run_dir) / "job.yaml"), visible=True)) if fresh \
        else (gr.skip(), gr.skip())
    return (live.plot_value(tail, "loss"), live.plot_value(tail, "metric"),
            live.plot_value(tail, "lr"),
            live.log_text(tail), live.progress_html(tail, lang, position),
            live.status_text(tail, lang), tail, run_header(run, lang),
            gr.Tab(interactive=True) if final and final["type"] == "done" else gr.skip(),
            *extra, source_update(registry, run_id) if final else gr.skip())


def run_header(run, lang: str) -> str:
    return tr(lang, "train_following", run=run.id, model=run.model, task=run.task or "-")


def estimate(registry, data_state, model_state, lang, paths, values) -> str:
    """Steps from the rows and settings; time from the speed of earlier runs of this model."""
    from studio.jobs import total_steps
    if not (data_state or {}).get("valid") or not (model_state or {}).get("name"):
        return ""
    try:
        cfg = form.job_config(data_state, model_state, dict(zip(paths, values)))
    except Exception as e:  # noqa: BLE001
        return box(error_text(e, lang))
    rows = data_state.get("rows", 0)
    if not data_state.get("validation_path"):
        rows = rows - math.ceil(rows * cfg.data.validation_fraction)
    steps = total_steps(cfg, max(rows, 1))
    speed = past_speed(registry, cfg.model.name, cfg.method.method)
    text = tr(lang, "train_estimate", steps=steps, rows=rows, batch=cfg.train.batch_size)
    if speed:
        seconds = steps * cfg.train.batch_size * cfg.train.grad_accum / speed
        text += " " + tr(lang, "train_estimate_time", time=fmt_seconds(seconds))
    else:
        text += " " + tr(lang, "train_estimate_unknown")
    return text


def model_defaults(model_state, data_state, method):
    """Learning rate and max length the chosen model and method would use."""
    if not (model_state or {}).get("name"):
        return gr.skip(), gr.skip()
    values = form.resolved_defaults(model_state["name"], method or "full",
                                    (data_state or {}).get("task", "classification"),
                                    model_state.get("family", "bert"))
    return values["train.learning_rate"], values["train.max_length"]


def past_speed(registry, model: str, method: str) -> float | None:
    """Samples per second of the latest finished run of this model and method."""
    for run in registry.list(200):
        m = run.metrics or {}
        if run.status == "done" and run.model == model and run.method == method and \
                m.get("train_samples_per_second"):
            return float(m["train_samples_per_second"])
    return None


def build(ctx: Ctx) -> None:
    registry, queue = ctx.registry, ctx.queue
    gr.Markdown(t("train_intro"))
    widgets = form.build_widgets()
    paths = list(widgets)
    values = list(widgets.values())
    estimate_md = gr.Markdown(elem_id="train-estimate")
    with gr.Row():
        start = gr.Button(t("train_start"), variant="primary", elem_id="train-start")
        stop = gr.Button(t("train_stop"), variant="stop", elem_id="train-stop")
    message = gr.Markdown(elem_id="train-message")
    header = gr.Markdown(elem_id="train-header")
    progress = gr.HTML(elem_id="train-progress")
    status = gr.Markdown(elem_id="train-status")
    with gr.Row():
        loss_plot = gr.LinePlot(x="step", y="value", color="series",
                                label=t("plot_loss"), height=300, elem_id="plot-loss")
        metric_plot = gr.LinePlot(x="step", y="value", color="series",
                                  label=t("plot_metric"), height=300, elem_id="plot-metric")
        lr_plot = gr.LinePlot(x="step", y="value", color="series",
                              label=t("plot_lr"), height=300, elem_id="plot-lr")
    with gr.Accordion(t("train_log"), open=False):
        log_box = gr.Textbox(lines=12, max_lines=12, show_label=False, autoscroll=True,
                             elem_id="train-log")
    with gr.Row():
        command = gr.Markdown(elem_id="train-command")
        yaml_file = gr.DownloadButton(t("train_download_yaml"), visible=False,
                                      elem_id="train-yaml")
    tail = gr.State(None)
    timer = gr.Timer(POLL_SECONDS)
    ctx.parts["tail"] = tail

    def do_start(data_state, model_state, lang, *vals):
        return start_run(queue, data_state, model_state, lang, paths, vals)

    def do_estimate(data_state, model_state, lang, *vals):
        return estimate(registry, data_state, model_state, lang, paths, vals)

    start.click(do_start, [ctx.data, ctx.model, ctx.lang, *values],
                [ctx.run_id, tail, message, command, yaml_file])
    stop.click(lambda rid, lang: stop_run(queue, rid, lang), [ctx.run_id, ctx.lang], message)

    def wire_timer():  # after the Try step exists: a finished run refreshes its run list
        timer.tick(lambda rid, tl, lang: poll(registry, queue, rid, tl, lang),
                   [ctx.run_id, tail, ctx.lang],
                   [loss_plot, metric_plot, lr_plot, log_box, progress, status, tail, header,
                    ctx.tab["try"], command, yaml_file, ctx.parts["try_source"]],
                   show_progress="hidden")
    ctx.later.append(wire_timer)
    for w in values:
        w.change(do_estimate, [ctx.data, ctx.model, ctx.lang, *values], estimate_md,
                 show_progress="hidden")
    ctx.model.change(do_estimate, [ctx.data, ctx.model, ctx.lang, *values], estimate_md)
    method = widgets["method.method"]
    for trigger in (ctx.model.change, method.input):
        trigger(model_defaults, [ctx.model, ctx.data, method],
                [widgets["train.learning_rate"], widgets["train.max_length"]])
