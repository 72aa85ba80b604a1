"""Step 3 - Train: settings from the config metadata, Start/Stop, live curves and progress.

Training runs in a child process started by the JobQueue (`python -m studio train
runs/<id>/job.yaml`); this page only reads the run's files, so a reload or a closed tab never
touches the run. The run id lives in gr.BrowserState, so a reloaded page reattaches.
"""
from __future__ import annotations

import functools
import shlex
from pathlib import Path

import gradio as gr

from . import advice_view, charts, fmt, form, live, resume_button, sweep_panel
from . import suggest_view
from .common import Ctx, box, owner, wire
from .i18n import code_text, error_text, t, tr
from .run_picker import source_update

POLL_SECONDS = 1.0
# StopResult.outcome -> the sentence the page shows
STOP_TEXT = {"not_running": ("train_not_running", "info"), "cancelled": ("train_cancelled", "ok"),
             "asked": ("train_stop_asked", "warning"), "killed": ("train_killed", "warning")}


def _here(path) -> Path:
    """`path` relative to the current folder when it is inside it (shorter to read and type)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd())
    except ValueError:
        return Path(path)


def cli_command(folder, workspace) -> str:
    """The shell command that does what the Start button did: the queue's own command
    (`RunFolder.train_command`), shown with `python` and paths relative to this folder."""
    from studio.runs import RunFolder
    argv = RunFolder(_here(folder.path)).train_command(_here(workspace), python="python")
    return shlex.join(argv)


def followed(registry, run) -> dict:
    """The command and the job.yaml download of the run this page follows."""
    folder = registry.folder(run)
    return {"command": f"```bash\n{cli_command(folder, registry.workspace)}\n```",
            "yaml_file": gr.update(value=download_copy(folder.job_file, run.id), visible=True)}


def download_copy(path: Path, run_id: str) -> str:
    """A copy of a run's file in the temp folder, for a download button: gradio serves only
    files under the working or temp folder, and a Space's workspace lives in /data; the
    workspace itself is never opened to the file route (it holds every owner's runs)."""
    import shutil

    from studio.retention import downloads_dir  # removed with the run (retention.delete_run)
    target = downloads_dir(run_id) / Path(path).name
    target.parent.mkdir(parents=True, exist_ok=True)
    if Path(path).name == "job.yaml":  # hosted: data paths relative to the workspace
        from studio.shown import job_text
        target.write_text(job_text(path, Path(path).parent.parent.parent), encoding="utf-8")
    else:
        shutil.copyfile(path, target)
    return str(target)


def start_run(queue, data_state, model_state, lang, paths, values, owner=None,
              policy=None, address=None) -> dict:
    """Fill a JobConfig with what the user set and submit it for `owner` (hosted; the engine
    checks the policy and the owner's job limit). Outputs run_id, tail, message, command,
    yaml_file."""
    from studio import jobs

    from .limits import disk_refusal
    if not (data_state or {}).get("valid"):
        return {"message": box(tr(lang, "train_need_data"))}
    if not (model_state or {}).get("name"):
        return {"message": box(tr(lang, "train_need_model"))}
    full = disk_refusal(queue.registry, owner, policy, lang)
    if full:
        return {"message": box(full)}
    wrong = form.problems(dict(zip(paths, values)), lang)
    if wrong:  # the button is disabled meanwhile; a click that raced the check lands here
        return {"message": box(" ".join(wrong.values()))}
    try:
        # A value set for another model or method that does not apply here is put back
        # (and said), never a refusal.
        cfg, notes = form.settled_job(data_state, model_state, dict(zip(paths, values)))
        # What training would refuse (a 5,000-value "label" column, a model that cannot learn
        # the task, a hosted limit) is refused here, before a run or a process exists.
        jobs.preview(cfg)
        # The queue checks its places per client address too (hosted: studio.queue_rules).
        run = queue.submit(cfg) if owner is None else queue.submit(cfg, owner=owner,
                                                                   address=address)
    except Exception as e:  # noqa: BLE001 - ConfigError etc. as one sentence
        return {"message": box(error_text(e, lang))}
    said = " ".join(form.reset_notes(notes, lang)[0])
    return {"run_id": run.id, "tail": live.new_tail(run.id),
            "message": box((tr(lang, "train_started", run=run.id) + " " + said).strip(), "ok"),
            **followed(queue.registry, run)}


def stop_run(queue, run_id, lang, owner=None) -> dict:
    """The first Stop asks the run to stop, the second kills it (the engine decides which and
    says so in StopResult.outcome; someone else's run is 'not running'). Output: message."""
    if not run_id:
        return {"message": box(tr(lang, "train_nothing_to_stop"), "info")}
    key, kind = STOP_TEXT[queue.stop(run_id, owner=owner).outcome]
    return {"message": box(tr(lang, key), kind)}


def poll(registry, queue, run_id, tail, lang, owner=None) -> dict:
    """One timer tick: read only the new events and redraw what changed.

    Outputs loss, metric, lr, log, progress, status, tail, header, try_tab, command,
    yaml_file, try_source and advice_* (when the run ends), message, timer. A fresh tail (new
    run, reloaded page) starts at offset 0 once; a tick with nothing new sends nothing (the
    progress line only when the queue position moved it), and once the run has ended and
    nothing changed the timer stops: an idle page showing a finished run does no work.
    Hosted, someone else's run reads as a missing one: nothing of it is sent.
    """
    if not run_id:
        return {"timer": gr.Timer(active=False)}
    run = registry.get(run_id, owner=owner)
    if run is None:
        return {"header": "", "timer": gr.Timer(active=False)}
    fresh = not tail or tail.get("run_id") != run_id
    if fresh:
        tail = live.new_tail(run_id)
    tail, changed = live.advance(tail, registry.folder(run))
    progress = live.progress_html(tail, lang, queue.position(run_id))
    if not changed and not fresh:
        if tail.get("final"):
            return {"timer": gr.Timer(active=False)}
        if progress == tail.get("shown"):
            return {}
        return {"progress": progress, "tail": {**tail, "shown": progress}}
    tail = {**tail, "shown": progress}
    out = {"loss": live.plot_value(tail, "loss", lang),
           "metric": live.plot_value(tail, "metric", lang),
           "lr": live.plot_value(tail, "lr", lang), "log": live.log_text(tail),
           "progress": progress, "status": live.status_text(tail, lang), "tail": tail,
           "header": run_header(run, lang)}
    final = tail.get("final")
    if final and final["type"] == "done":
        out["try_tab"] = gr.Tab(interactive=True)
    if final:
        out["try_source"] = source_update(registry, run_id, owner=owner, lang=lang)
        out.update(advice_view.run_advice(registry, run_id, lang, owner))  # findings.json
        if not fresh:  # "Asked the run to stop" and the like: the status says how it ended
            out["message"] = ""
    elif fresh:  # another run followed: the last one's advice goes
        out.update(advice_view.hidden())
    if fresh:
        out.update(followed(registry, run))
    return out


def run_header(run, lang: str) -> str:
    return tr(lang, "train_following", run=run.id, model=run.model,
              task=tr(lang, "task_" + run.task) if run.task else "-")


def stale_refusal(shown, data_state, model_state, lang) -> dict:
    """Output message: Start's "choose the data / the model first" is cleared once what it
    asked for is there; any other message (a run started, a stop asked) stays."""
    shown = shown or ""
    if (data_state or {}).get("valid") and tr(lang, "train_need_data") in shown or \
            (model_state or {}).get("name") and tr(lang, "train_need_model") in shown:
        return {"message": ""}
    return {}


def check_form(paths, values, lang) -> dict:
    """Each field's help line, or what is wrong with its value (named by its label, in the
    page's language), and Start enabled only when every value is one the engine takes.
    Outputs one update per field path, and start."""
    wrong = form.problems(dict(zip(paths, values)), lang)
    return {**form.marks(paths, wrong, lang), "start": gr.update(interactive=not wrong)}


def estimate(registry, data_state, model_state, lang, paths, values, owner=None) -> dict:
    """What the job would do, from the engine's `jobs.preview`: split sizes, steps, parameter
    counts, the capped max_length and learning rate (also shown as the placeholders of the
    'decide for me' boxes); the time from the speed of earlier runs of this model.
    Outputs estimate, one placeholder update per 'decide for me' number, the visibility of
    each setting that applies to some jobs only (studio.jobs.applies), and, when a value the
    user set stopped applying and was put back, that field's value and message (the sentence).
    """
    from studio import jobs
    given = dict(zip(paths, values))
    known = form.known_visibility(paths, data_state, model_state, given)
    if form.problems(given, lang):
        return {"estimate": box(tr(lang, "train_fix_settings"), "info"), **known,
                **suggest_view.hidden()}
    if not (data_state or {}).get("valid") or not (model_state or {}).get("name"):
        return {"estimate": "", **known, **suggest_view.hidden()}
    try:
        cfg, notes = form.settled_job(data_state, model_state, given)
        p = jobs.preview(cfg)
    except Exception as e:  # noqa: BLE001
        return {"estimate": box(error_text(e, lang)), **known, **suggest_view.hidden()}
    said, resets = form.reset_notes(notes, lang)
    shown = form.visibility(paths, p.cfg.task, p.family, p.cfg.method.method,
                            p.cfg.train.packing, p.cfg.train.devices)
    for path, update in resets.items():  # put back, and shown: one update
        shown[path] = {**shown.get(path, {}), **update}
    # One engine fact, one wording: a step is an optimizer step of p.effective_batch rows.
    lines = [tr(lang, "train_preview_rows", train=p.train_rows, validation=p.validation_rows,
                 excluded=p.excluded_rows),
             tr(lang, "train_preview_steps", per_epoch=p.steps_per_epoch, steps=p.total_steps,
                batch=p.effective_batch),
             tr(lang, "train_preview_model", params=fmt.count(p.parameters),
                trainable=fmt.count(p.trainable),
                method=tr(lang, "choice_" + p.cfg.method.method),
                max_length=p.cfg.train.max_length, lr=fmt.number(p.cfg.train.learning_rate))]
    lines += method_lines(p, lang) + memory_lines(p.memory, lang) + device_lines(p, lang)
    lines.append(time_line(registry, p, owner, lang))
    picks = form.engine_picks(p.cfg, paths, lang)
    for path, update in picks.items():
        shown[path] = {**shown.get(path, {}), **update}
    # The sentence goes to the message line: the reset itself triggers the next estimate,
    # which has nothing left to say about it.
    said = {"message": box(" ".join(said), "info")} if said else {}
    # The engine's suggested learning rate, epochs and batch, each with its rule.
    return {"estimate": "  \n".join(lines), **shown, **said,
            **suggest_view.shown(p, lang)}


def method_lines(p, lang: str) -> list[str]:
    """The engine's sentence when method 'auto' chose LoRA for this model's size."""
    from studio.jobs.adapters import auto_note_params
    reason = p.cfg.method.auto_reason
    if not reason:
        return []
    return [tr(lang, "method_auto_lora", **auto_note_params(p.cfg.model.name, p.parameters))]


def device_lines(p, lang: str) -> list[str]:
    """Rows per optimizer step when accumulation or several devices multiply the batch, and
    the engine's warning when train.devices is more than this machine has."""
    from studio.distributed import device_notes
    t = p.cfg.train
    lines = [tr(lang, "train_preview_effective", rows=p.effective_batch, batch=t.batch_size,
                accum=t.grad_accum, devices=t.devices)] if p.effective_batch != t.batch_size \
        else []
    return lines + [tr(lang, "train_" + n["code"], devices=n["devices"], have=n["have"])
                    for n in device_notes(t.devices)]


def memory_lines(plan, lang: str) -> list[str]:
    """The planner's estimate next to the memory free for the run, and its one sentence when
    it changed the job (batch x accumulation, LoRA) to fit (studio.jobs.memory_plan)."""
    if plan is None:
        return []
    lines = [tr(lang, "train_preview_memory", peak=f"{plan.estimate.total / 2**30:.1f}",
                free=f"{plan.budget / 2**30:.1f}",
                device=tr(lang, "memory_device_" + plan.estimate.device))]
    if plan.code:
        lines.append(code_text(lang, plan.code, plan.params) or plan.sentence)
    return lines


def time_line(registry, p, owner, lang: str) -> str:
    """The time before Start, evaluation included, from the engine's one estimate
    (studio.eval_budget: the speed an earlier run of this model and method measured)."""
    from studio import eval_budget
    speed = eval_budget.past_speed(registry, p.cfg.model.name, p.cfg.method.method, owner)
    guess = eval_budget.estimate_seconds(p.cfg, p.train_rows, p.validation_rows, speed)
    if not guess:
        return tr(lang, "train_estimate_unknown")
    return tr(lang, "train_estimate_time", time=fmt.duration(guess["total"], lang),
              evaluation=fmt.duration(guess["evaluation"], lang))


PLOTS = {"loss": ("plot_loss", "axis_loss"), "metric": ("plot_metric", "axis_score"),
         "lr": ("plot_lr", "axis_lr")}


def plot_titles(lang: str) -> dict:
    """Outputs plot_loss, plot_metric, plot_lr: each chart's axis and legend titles in
    `lang` (sent when the page loads; gradio translates labels, not chart titles)."""
    return {f"plot_{name}": gr.update(**charts.titles(lang, y_key))
            for name, (_, y_key) in PLOTS.items()}


def build(ctx: Ctx) -> None:
    registry, queue = ctx.registry, ctx.queue
    gr.Markdown(t("train_intro"))
    widgets = form.build_widgets(hosted=ctx.hosted)
    paths = list(widgets)
    values = list(widgets.values())
    estimate_md = gr.Markdown(elem_id="train-estimate")
    suggested, suggest_click = suggest_view.panel(ctx, widgets)  # "Use suggested settings"
    with gr.Row():
        start = gr.Button(t("train_start"), variant="primary", elem_id="train-start")
        stop = gr.Button(t("train_stop"), variant="stop", elem_id="train-stop")
        resume = resume_button.button("train")  # a stopped or failed run with a checkpoint
    message = gr.Markdown(elem_id="train-message")
    header = gr.Markdown(elem_id="train-header")
    # The followed run's own settings, read-only: opening a run never writes the next job.
    ctx.run_settings = gr.Markdown(elem_id="train-run-settings")
    progress = gr.HTML(elem_id="train-progress")
    status = gr.Markdown(elem_id="train-status")
    ctx.form = widgets  # before advice_view.panel, which fills it
    advice, advice_click = advice_view.panel(ctx, "train")  # the ended run's findings
    with gr.Row():
        plots = {name: charts.line_plot(t(label), f"plot-{name}")
                 for name, (label, _) in PLOTS.items()}
    with gr.Accordion(t("train_log"), open=False):
        log_box = gr.Textbox(lines=12, max_lines=12, show_label=False, autoscroll=True,
                             elem_id="train-log")
    with gr.Row():
        command = gr.Markdown(elem_id="train-command")
        yaml_file = gr.DownloadButton(t("train_download_yaml"), visible=False,
                                      elem_id="train-yaml")
    tail = gr.State(None)
    timer = gr.Timer(POLL_SECONDS)
    ctx.train_timer = timer
    ctx.plots = {f"plot_{name}": plot for name, plot in plots.items()}
    sweep_panel.build(ctx, widgets)  # "Try several": a grid of candidates on one split

    # gr.Request comes first: gradio fills only a named parameter before the form's *vals.
    def do_start(request: gr.Request, data_state, model_state, lang, *vals):
        from .guard import request_address
        out = start_run(queue, data_state, model_state, lang, paths, vals,
                        owner(ctx, request), ctx.policy, request_address(request))
        # A new run is followed: the settings of a run opened before are no longer shown.
        return {**out, "timer": gr.Timer(active=True), "run_settings": ""} \
            if "run_id" in out else out

    def do_estimate(request: gr.Request, data_state, model_state, lang, *vals):
        shown = check_form(paths, vals, lang)
        picks = estimate(registry, data_state, model_state, lang, paths, vals,
                         owner(ctx, request))
        for path, update in picks.items():  # a placeholder and a help line: one update
            shown[path] = {**shown[path], **update} if path in shown else update
        return shown

    def do_stop(rid, lang, request: gr.Request):
        return stop_run(queue, rid, lang, owner(ctx, request))

    def do_poll(rid, tl, lang, request: gr.Request):
        return poll(registry, queue, rid, tl, lang, owner(ctx, request))

    wire(start.click, do_start, [ctx.data, ctx.model, ctx.lang, *values],
         {"run_id": ctx.run_id, "tail": tail, "message": message, "command": command,
          "yaml_file": yaml_file, "timer": timer, "run_settings": ctx.run_settings},
         api_name="start")
    wire(stop.click, do_stop, [ctx.run_id, ctx.lang], {"message": message}, api_name="stop")
    resume_button.wire_train(ctx, resume, message, tail, status)

    def wire_timer():  # after the Try step exists: a finished run refreshes its run list
        wire(timer.tick, do_poll, [ctx.run_id, tail, ctx.lang],
             {"loss": plots["loss"], "metric": plots["metric"], "lr": plots["lr"],
              "log": log_box, "progress": progress, "status": status, "tail": tail,
              "header": header, "try_tab": ctx.tab["try"], "command": command,
              "yaml_file": yaml_file, "try_source": ctx.try_source,
              "message": message, "timer": timer, **advice},
             show_progress="hidden")
    ctx.later.append(wire_timer)
    # "Choose a valid data file in step 1 first." stayed after a valid file came: a refusal
    # about the data or the model goes once they are there.
    for trigger in (ctx.data.change, ctx.model.change):
        wire(trigger, stale_refusal, [message, ctx.data, ctx.model, ctx.lang],
             {"message": message}, show_progress="hidden", queue=False)
    # Following another run (opened, reloaded, started elsewhere on this page) polls again.
    wire(ctx.run_id.change, lambda rid: {"timer": gr.Timer(active=bool(rid))}, [ctx.run_id],
         {"timer": timer}, show_progress="hidden", queue=False)
    # Every field: its help line or its problem; Start; the estimate and the engine's picks.
    estimate_outputs = {"estimate": estimate_md, "start": start, "message": message, **widgets,
                        **suggested}
    # Text boxes re-check when the user is done typing, not at every key; the page's language
    # arriving (page load) puts every help line in it. One queue for all of them, in the order
    # they were triggered: a slow check of older values (a model change asks the engine for
    # its preview) can never land after, and undo, the check of what the user typed since.
    # One event for all the triggers (gr.on), not one per field: each event is an endpoint
    # described in the page and in /gradio_api/info with every form input, and 45 copies made
    # those 1.5 MB. "always_last": a change while a check runs is checked right after it.
    events = [(w.blur, w.submit) if isinstance(w, gr.Textbox) else (w.change,) for w in values]
    triggers = [*(e for pair in events for e in pair), ctx.model.change, ctx.data.change,
                ctx.lang.change]
    wire(functools.partial(gr.on, triggers), do_estimate, [ctx.data, ctx.model, ctx.lang,
                                                           *values],
         estimate_outputs, show_progress="hidden", concurrency_id="train-form",
         concurrency_limit=1, trigger_mode="always_last")
    # "Train again with these settings" set some fields: check them and estimate again.
    ctx.train_check = (do_estimate, [ctx.data, ctx.model, ctx.lang, *values],
                                estimate_outputs)
    wire(advice_click.then, *ctx.train_check, show_progress="hidden",
         api_visibility="undocumented")  # the page's own: not another /do_estimate endpoint
    wire(suggest_click.then, *ctx.train_check, show_progress="hidden",
         api_visibility="undocumented")  # "Use suggested settings": the same check
