"""Step 4 - Try: use a trained run (and, side by side, its base model).

Classification: text -> label probabilities, a file -> predictions CSV. Chat (GPT): streaming
multi-turn chat. Text-to-text: input -> output. Plus the run's before/after metrics, confusion
matrix and misclassified validation rows. Models come from the shared ModelCache, so the
playground keeps working while another job trains.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from . import results
from .common import Ctx, Slider, box, confined_upload, owner, wire
from .i18n import error_text, t, tr
from .run_picker import source_update

TOP_CLASSES = 10


def open_run(registry, run_id, lang, owner=None) -> dict:
    """Show the right playground for the run's task, and its evaluation. Outputs info,
    cls_group, chat_group, t2t_group, metrics, confusion, errors, samples, source, cm_col,
    err_col, smp_col, errors_note, rate_group (blind rating: generation runs). Someone
    else's run (hosted) answers like a missing one."""
    hidden = gr.update(visible=False)
    run = registry.get(run_id, owner=owner) if run_id else None
    if run is None:
        return {"info": box(tr(lang, "try_pick_run"), "info"), "cls_group": hidden,
                "chat_group": hidden, "t2t_group": hidden, "metrics": None, "confusion": None,
                "errors": None, "samples": None, "cm_col": hidden, "err_col": hidden,
                "smp_col": hidden, "errors_note": "", "rate_group": hidden}
    folder = registry.folder(run)
    task = run.task
    cls = task == "classification"
    info = tr(lang, "try_run_info", run=run.id, model=run.model,
              task=tr(lang, "task_" + task), status=tr(lang, "status_" + run.status))
    if untrained(run.model):
        info += "\n\n" + box(tr(lang, "try_untrained_note", model=run.model), "warning")
    return {"info": info,
            "cls_group": gr.update(visible=cls), "chat_group": gr.update(visible=task == "chat"),
            "t2t_group": gr.update(visible=task == "text2text"),
            "metrics": results.before_after(folder, lang),
            # the title is the component's label: words the browser draws, in any language
            "confusion": results.confusion_image(folder) if cls else None,
            "errors": results.misclassified(folder, lang) if cls else None,
            "errors_note": errors_note(folder, lang) if cls else "",
            "samples": None if cls else results.samples(folder, lang),
            "source": gr.update(value=run.id), "cm_col": gr.update(visible=cls),
            "err_col": gr.update(visible=cls), "smp_col": gr.update(visible=not cls),
            "rate_group": gr.update(visible=task in ("chat", "text2text"))}


def errors_note(folder, lang: str) -> str:
    """Under an empty misclassified table, why it is empty: no validation row was wrong, or
    the run saved no predictions for its validation rows ("" when the table has rows)."""
    if results.misclassified(folder, lang, limit=1).shape[0]:
        return ""
    predicted = bool(folder.outputs("predictions", "after", 1))
    return box(tr(lang, "try_errors_none" if predicted else "try_errors_no_predictions"),
               "ok" if predicted else "info")


def untrained(model: str) -> bool:
    """Whether a run started from an untrained tiny preset (its output is noise)."""
    from studio.models import PRESETS
    return model in PRESETS and PRESETS[model].untrained


def base_name(registry, run_id, owner=None) -> tuple[str, str, list[str]]:
    run = registry.get(run_id, owner=owner)
    return run.model, run.task, results.labels(registry.folder(run))


def classify_text(cache, registry, run_id, text, compare, lang, owner=None) -> dict:
    """Outputs tuned (fine-tuned probabilities), base (the base model's), message."""
    from studio.inference import classify
    if not run_id or not (text or "").strip():
        return {"tuned": None, "base": None, "message": box(tr(lang, "try_need_text"), "info")}
    try:
        tuned = classify(cache.run(registry, run_id, owner=owner), [text])[0]["probabilities"]
        base = None
        if compare:
            name, task, labels = base_name(registry, run_id, owner)
            base = classify(cache.base(name, task, labels), [text])[0]["probabilities"]
    except Exception as e:  # noqa: BLE001
        return {"tuned": None, "base": None, "message": box(error_text(e, lang))}
    return {"tuned": tuned, "base": base, "message": ""}


def predict_batch(cache, registry, run_id, path, lang, owner=None) -> dict:
    """Outputs batch_out (a CSV with one prediction per row), message, batch_confusion. Every
    row is predicted; a file with a label column is also scored (accuracy, macro-F1 and the
    confusion matrix: what `python -m studio eval` says). `path` must already have passed
    common.confined_upload (the wiring does it)."""
    from studio.file_scores import classify_and_score
    hidden = gr.update(value=None, visible=False)
    if not run_id or not path:
        return {"batch_out": None, "message": box(tr(lang, "try_need_file"), "info"),
                "batch_confusion": hidden}
    out = Path(tempfile.mkdtemp(prefix="studio-pred-")) / f"predictions-{Path(path).stem}.csv"
    try:
        # Streamed to the file (sorted, token-sized batches).
        score = classify_and_score(cache.run(registry, run_id, owner=owner), path, str(out))
    except Exception as e:  # noqa: BLE001
        return {"batch_out": None, "message": box(error_text(e, lang)),
                "batch_confusion": hidden}
    text, picture = tr(lang, "try_batch_done", rows=score.rows), hidden
    if score.metrics:
        from . import fmt
        m = score.metrics
        text += " " + tr(lang, "try_batch_scored", metrics=fmt.metrics_line(
            {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"]}, lang))
        picture = gr.update(value=results.draw_matrix(
            m["confusion_matrix"], [str(x) for x in m["confusion_labels"]]), visible=True)
    elif score.unknown_labels:
        text += " " + tr(lang, "try_batch_unknown_labels",
                         labels=", ".join(score.unknown_labels[:5]))
    return {"batch_out": str(out), "message": box(text, "ok"), "batch_confusion": picture}


def chat_stream(cache, registry, run_id, message, history, base_history, system, temperature,
                top_p, max_new, compare, lang, owner=None):
    """Yields outputs history, base_history, chat_in (the textbox), message while the reply
    streams in."""
    from studio.inference import chat_messages, generate_stream
    history, base_history = list(history or []), list(base_history or [])
    if not run_id or not (message or "").strip():
        yield {"history": history, "base_history": base_history, "chat_in": message,
               "message": box(tr(lang, "try_need_text"), "info")}
        return
    # The message shows at once: loading the model and its first token can take many seconds
    # on a busy CPU, and a chat box that shows nothing after Send reads as a lost message.
    yield {"history": history + [{"role": "user", "content": message}],
           "base_history": base_history, "chat_in": "", "message": ""}
    try:
        lm = cache.run(registry, run_id, owner=owner)
        pairs = [(lm, history)]
        if compare:
            name, task, _ = base_name(registry, run_id, owner)
            pairs.append((cache.base(name, task), base_history))
        for model, hist in pairs:
            msgs = chat_messages(model, message, hist, system or "")
            hist += [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
            for text in generate_stream(model, msgs, int(max_new), float(temperature),
                                        float(top_p)):
                hist[-1]["content"] = text
                yield {"history": history, "base_history": base_history, "chat_in": "",
                       "message": ""}
            if not hist[-1]["content"].strip():  # never a blank bubble: say it
                hist[-1]["content"] = tr(lang, "try_empty_reply")
    except Exception as e:  # noqa: BLE001
        yield {"history": history, "base_history": base_history, "chat_in": message,
               "message": box(error_text(e, lang))}
        return
    yield {"history": history, "base_history": base_history, "chat_in": "", "message": ""}


def text2text(cache, registry, run_id, text, compare, max_new, lang, owner=None) -> dict:
    """Outputs tuned (the fine-tuned output), base (the base model's), message."""
    from studio.inference import chat_messages, generate_text
    if not run_id or not (text or "").strip():
        return {"tuned": "", "base": "", "message": box(tr(lang, "try_need_text"), "info")}
    try:
        lm = cache.run(registry, run_id, owner=owner)
        tuned = generate_text(lm, chat_messages(lm, text), int(max_new))
        base = ""
        if compare:
            name, task, _ = base_name(registry, run_id, owner)
            bm = cache.base(name, task)
            base = generate_text(bm, chat_messages(bm, text), int(max_new))
    except Exception as e:  # noqa: BLE001
        return {"tuned": "", "base": "", "message": box(error_text(e, lang))}
    # An empty box with no word looked broken: say that the model wrote nothing visible.
    empty = not tuned.strip() or (compare and not base.strip())
    return {"tuned": tuned, "base": base,
            "message": box(tr(lang, "try_empty_output"), "info") if empty else ""}


def show_base(compare: bool) -> dict:
    """The base model's boxes appear only when comparing. Outputs base_label, base_chat,
    t2t_base."""
    shown = gr.update(visible=bool(compare))
    return {"base_label": shown, "base_chat": shown, "t2t_base": shown}


def chat_settings(keep, system, temperature, top_p, max_new) -> dict:
    """Output settings: the Try chat's settings for the Modelfile, or None when not kept."""
    if not keep:
        return {"settings": None}
    out = {"temperature": float(temperature), "top_p": float(top_p),
           "max_new_tokens": int(max_new)}
    if (system or "").strip():
        out["system_prompt"] = system.strip()
    return {"settings": out}


def chat_settings_box(ctx: Ctx, system, temperature, top_p, max_new) -> None:
    """In the Try step's chat: "Save these settings with the export". The settings live in a
    per-browser gr.State (ctx.export_settings) the Export panel hands to GGUF exports."""
    keep = gr.Checkbox(False, label=t("try_keep_settings"), info=t("try_keep_settings_info"),
                       elem_id="try-keep-settings")
    state = ctx.export_settings = gr.State(None)
    inputs = [keep, system, temperature, top_p, max_new]
    for part in inputs:
        wire(part.change, chat_settings, inputs, {"settings": state}, show_progress="hidden")


def build(ctx: Ctx) -> None:
    registry, cache = ctx.registry, ctx.cache
    with gr.Row():
        source = gr.Dropdown([], value=None, label=t("try_run"), elem_id="try-run", scale=3)
        refresh = gr.Button(t("try_refresh"), scale=1)
        compare = gr.Checkbox(label=t("try_compare"), value=False, elem_id="try-compare",
                              scale=1)
    info = gr.Markdown(elem_id="try-info")
    message = gr.Markdown(elem_id="try-message")
    with gr.Group(visible=False) as cls_group:
        text = gr.Textbox(label=t("try_text"), lines=3, elem_id="try-text")
        go = gr.Button(t("try_classify"), variant="primary", elem_id="try-classify")
        with gr.Row():
            # The top classes only: a 300-class model must not send 300 bars per click.
            tuned_label = gr.Label(label=t("try_tuned"), elem_id="try-label",
                                   num_top_classes=TOP_CLASSES)
            base_label = gr.Label(label=t("try_base"), elem_id="try-base-label",
                                  visible=False, num_top_classes=TOP_CLASSES)
        with gr.Row():
            batch_in = gr.File(label=t("try_batch"), type="filepath")
            batch_out = gr.File(label=t("try_batch_out"), interactive=False)
        batch_confusion = gr.Image(label=t("try_confusion"), type="pil", visible=False,
                                   elem_id="try-batch-confusion")
    with gr.Group(visible=False) as chat_group:
        system = gr.Textbox(label=t("try_system"), lines=2, elem_id="try-system")
        with gr.Row():
            temperature = Slider(0.0, 2.0, value=0.7, step=0.05, label=t("try_temperature"),
                                 elem_id="try-temperature")
            top_p = Slider(0.05, 1.0, value=0.9, step=0.05, label=t("try_top_p"),
                           elem_id="try-top-p")
            max_new = Slider(8, 1024, value=128, step=8, label=t("try_max_new"),
                             elem_id="try-max-new")
        chat_settings_box(ctx, system, temperature, top_p, max_new)
        with gr.Row():
            chatbot = gr.Chatbot(label=t("try_tuned"), height=360, elem_id="try-chat",
                                 buttons=["copy_all"])
            base_chat = gr.Chatbot(label=t("try_base"), height=360, elem_id="try-base-chat",
                                   visible=False, buttons=["copy_all"])
        chat_in = gr.Textbox(label=t("try_message"), elem_id="try-chat-input")
        with gr.Row():
            send = gr.Button(t("try_send"), variant="primary", elem_id="try-send")
            clear = gr.Button(t("try_clear"))
    with gr.Group(visible=False) as t2t_group:
        t2t_in = gr.Textbox(label=t("try_input"), lines=3, elem_id="try-t2t-input")
        t2t_go = gr.Button(t("try_generate"), variant="primary", elem_id="try-t2t-go")
        with gr.Row():
            t2t_out = gr.Textbox(label=t("try_tuned"), lines=3, elem_id="try-t2t-output")
            t2t_base = gr.Textbox(label=t("try_base"), lines=3, visible=False)
    with gr.Accordion(t("try_eval"), open=True):
        with gr.Row():
            metrics = gr.Dataframe(label=t("try_metrics"), interactive=False,
                                   elem_id="try-metrics")
            with gr.Column(visible=False) as cm_col:
                confusion = gr.Image(label=t("try_confusion"), type="pil",
                                     elem_id="try-confusion")
        # Wrapped, in the width of the page: label, prediction and confidence before the text.
        with gr.Column(visible=False) as err_col:
            errors = gr.Dataframe(label=t("try_errors"), interactive=False, wrap=True,
                                  max_height=480, elem_id="try-errors",
                                  column_widths=["7%", "13%", "13%", "11%", "56%"])
            errors_md = gr.Markdown(elem_id="try-errors-note")
        with gr.Column(visible=False) as smp_col:
            samples = gr.Dataframe(label=t("try_samples"), interactive=False, wrap=True,
                                   max_height=480, elem_id="try-samples",
                                   column_widths=["34%", "33%", "33%"])
    # Blind side-by-side rating of two generation runs (or a run and its base model).
    with gr.Accordion(t("rate_title"), open=True, visible=False,
                      elem_id="rating") as rate_group:
        from .rating_panel import build as build_rating
        build_rating(ctx)
    ctx.try_source = source

    # Every handler acts for the request's owner (hosted: its own runs only).
    def do_open(rid, lang, request: gr.Request):
        return open_run(registry, rid, lang, owner(ctx, request))

    def do_refresh(rid, lang, request: gr.Request):
        return {"source": source_update(registry, rid, owner=owner(ctx, request), lang=lang)}

    def do_classify(rid, text_value, cmp, lang, request: gr.Request):
        return classify_text(cache, registry, rid, text_value, cmp, lang, owner(ctx, request))

    def do_batch(rid, path, lang, request: gr.Request):
        try:
            path = confined_upload(ctx, path, request)
        except Exception as e:  # noqa: BLE001 - a refused file is one sentence
            return {"batch_out": None, "message": box(error_text(e, lang)),
                    "batch_confusion": gr.update(visible=False)}
        return predict_batch(cache, registry, rid, path, lang, owner(ctx, request))

    wire(source.change, do_open, [source, ctx.lang],
         {"info": info, "cls_group": cls_group, "chat_group": chat_group,
          "t2t_group": t2t_group, "metrics": metrics, "confusion": confusion, "errors": errors,
          "source": source, "cm_col": cm_col, "samples": samples, "err_col": err_col,
          "smp_col": smp_col, "errors_note": errors_md, "rate_group": rate_group},
         api_name="open_run")
    wire(refresh.click, do_refresh, [ctx.run_id, ctx.lang], {"source": source})
    labels_out = {"tuned": tuned_label, "base": base_label, "message": message}
    for i, trigger in enumerate((go.click, text.submit)):
        wire(trigger, do_classify, [source, text, compare, ctx.lang], labels_out,
             **({"api_name": "classify"} if i == 0 else {}))
    wire(batch_in.upload, do_batch, [source, batch_in, ctx.lang],
         {"batch_out": batch_out, "message": message, "batch_confusion": batch_confusion},
         api_name="predict_file")
    chat_inputs = [source, chat_in, chatbot, base_chat, system, temperature, top_p, max_new,
                   compare, ctx.lang]

    def do_chat(rid, msg, hist, base_hist, sys_prompt, temp, top, max_tokens, cmp, lang,
                request: gr.Request):
        yield from chat_stream(cache, registry, rid, msg, hist, base_hist, sys_prompt, temp, top,
                               max_tokens, cmp, lang, owner(ctx, request))

    chat_out = {"history": chatbot, "base_history": base_chat, "chat_in": chat_in,
                "message": message}
    for trigger in (send.click, chat_in.submit):
        wire(trigger, do_chat, chat_inputs, chat_out)
    wire(clear.click, lambda: {"history": [], "base_history": []}, None,
         {"history": chatbot, "base_history": base_chat})

    def do_t2t(rid, text_value, cmp, max_tokens, lang, request: gr.Request):
        return text2text(cache, registry, rid, text_value, cmp, max_tokens, lang,
                         owner(ctx, request))

    wire(t2t_go.click, do_t2t, [source, t2t_in, compare, max_new, ctx.lang],
         {"tuned": t2t_out, "base": t2t_base, "message": message})
    wire(compare.change, show_base, compare,
         {"base_label": base_label, "base_chat": base_chat, "t2t_base": t2t_base})
