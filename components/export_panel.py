"""Step 5's Export panel: take a finished run's model out of the studio.

Pick a run and a format (zip, merged, GGUF f16/q8_0, ONNX: the formats that apply to the run
are offered, the others are explained in one sentence each), export it with live progress (a
generator on the queue: the page and other users never wait for it), download the file(s),
push to the Hugging Face Hub with a token that lives only in that one request, and copy the
code that uses the model. The Try step's chat can keep its settings for the Ollama Modelfile of
a GGUF export (try_step.chat_settings_box fills ctx.export_settings, read here).
"""
from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from studio.errors import StudioError

from .common import Ctx, box, owner, wire
from .export_files import downloads, human_size, streamed
from .i18n import error_text, t, tr

log = logging.getLogger(__name__)
NAMES = {"zip": "zip", "merged": "merged", "gguf": "GGUF", "onnx": "ONNX"}
PYTHON = ("transformers", "peft", "onnxruntime", "openai")   # snippets in Python, else shell


# ---- what a run can be exported as -------------------------------------------------------

def _run(registry, run_id, owner=None):
    """(run, folder) of `owner`'s run; someone else's run raises exactly like a missing one."""
    from studio.errors import RunError
    run = registry.get(run_id, owner=owner) if run_id else None
    if run is None:
        raise RunError(f"No run '{run_id}'; see the run list.", "no_run", run=run_id)
    return run, registry.folder(run)


def offered(folder, lang: str) -> tuple[list[str], list[str]]:
    """The formats this run's model can be exported in, and one sentence for each it cannot:
    both from the engine's `available` (the one place that decides). Raises the engine's
    no_model for an unfinished run."""
    from studio.export import available
    ok, why = [], []
    for fmt, reason in available(folder).items():
        if reason is None:
            ok.append(fmt)
        else:
            why.append(tr(lang, "export_unavailable", format=NAMES.get(fmt, fmt),
                          reason=error_text(reason, lang)))
    return ok, why


def settings_line(settings, lang: str) -> str:
    if not settings:
        return tr(lang, "export_settings_none")
    params = {k: settings[k] for k in ("temperature", "top_p", "max_new_tokens")}
    if settings.get("system_prompt"):
        return tr(lang, "export_settings_used_system", system=settings["system_prompt"], **params)
    return tr(lang, "export_settings_used", **params)


# ---- "use this model" --------------------------------------------------------------------

def snippets_md(snippets: dict[str, str]) -> str:
    return "\n\n".join(f"**{name}**\n\n```{'python' if name in PYTHON else 'bash'}\n"
                       f"{code.rstrip()}\n```" for name, code in snippets.items())


def usage_text(registry, folder, fmt, quant, lang, hosted=False, result=None) -> str:
    """Copy-ready code for `fmt`: the export's own snippets once it exists, else the engine's
    `usage`. Server paths become placeholders where the user has the download instead (zip,
    and every format on a hosted studio); locally, `python -m studio serve` is added."""
    from studio.export import export_folder, usage
    where = str(export_folder(folder, fmt, quant))
    if result is not None:
        snippets = dict(result.snippets)
    elif fmt == "gguf":
        snippets = {}
    else:
        snippets = usage(folder, fmt, quant=quant)
    if fmt == "zip" or (hosted and fmt in ("merged", "onnx")):
        place = "path/to/unzipped/folder"
    else:
        place = "path/to/downloaded/folder" if hosted else where
    parts = [snippets_md({k: v.replace(where, place) for k, v in snippets.items()})
             if snippets else tr(lang, "export_use_after")]
    if not hosted:
        command = f"python -m studio serve {folder.id} --workspace {registry.workspace}"
        parts += [tr(lang, "export_use_serve"), f"```bash\n{command}\n```",
                  snippets_md(usage(folder, "serve", base_url="http://127.0.0.1:8000/v1"))]
    return "\n\n".join(parts)


# ---- handlers ----------------------------------------------------------------------------

def export_choices(registry, selected, current, lang, owner=None) -> dict:
    """Output run: the finished runs, choosing the first run ticked in the history above,
    else keeping the current choice."""
    from .run_picker import run_choices
    choices = run_choices(registry, owner, lang=lang)
    ids = [v for _, v in choices]
    value = next((s for s in (selected or []) if s in ids), current if current in ids else None)
    return {"run": gr.update(choices=choices, value=value)}


def describe(registry, run_id, fmt, quant, settings, lang, owner=None, hosted=False) -> dict:
    """A run was picked: its formats, explanations and code. Outputs format, quant, note,
    usage, files, status."""
    cleared = {"files": None, "status": ""}
    if not run_id:
        return {"format": gr.update(choices=[], value=None), "quant": gr.update(visible=False),
                "note": box(tr(lang, "export_pick_run"), "info"), "usage": "", **cleared}
    try:
        _, folder = _run(registry, run_id, owner)
        formats, _ = offered(folder, lang)
    except Exception as e:  # noqa: BLE001 - one sentence
        return {"format": gr.update(choices=[], value=None), "quant": gr.update(visible=False),
                "note": box(error_text(e, lang)), "usage": "", **cleared}
    fmt = fmt if fmt in formats else formats[0]
    choices = [(tr(lang, "export_fmt_" + f), f) for f in formats]
    return {"format": gr.update(choices=choices, value=fmt),
            **explain(registry, run_id, fmt, quant, settings, lang, owner, hosted), **cleared}


def explain(registry, run_id, fmt, quant, settings, lang, owner=None, hosted=False) -> dict:
    """The format (or quantization, or kept chat settings) changed. Outputs quant, note,
    usage."""
    try:
        _, folder = _run(registry, run_id, owner)
        formats, why = offered(folder, lang)
    except Exception as e:  # noqa: BLE001
        return {"quant": gr.update(visible=False), "note": box(error_text(e, lang)), "usage": ""}
    notes = [box(w, "info") for w in why]
    if fmt == "gguf":
        notes.append(box(settings_line(settings, lang), "info"))
    use = usage_text(registry, folder, fmt, quant, lang, hosted) if fmt in formats else ""
    return {"quant": gr.update(visible=fmt == "gguf"), "note": "\n\n".join(notes), "usage": use}


def _progress_line(lang, key, fraction, message, **params) -> str:
    text = tr(lang, key, percent=int(round(fraction * 100)), **params)
    # the engine's progress words are English free text: each language decides to show them
    return box(tr(lang, "export_progress_detail", line=text, detail=message) if message
               else text, "info")


def export_run(registry, run_id, fmt, quant, settings, lang, owner=None, hosted=False):
    """Yields outputs status, files, usage while the export runs, then the download(s)."""
    from studio.export import FORMATS, export
    from studio.export.common import GGUF_QUANTS as QUANTS
    if not run_id or fmt not in FORMATS:
        yield {"status": box(tr(lang, "export_pick_format" if run_id else "export_pick_run"),
                             "info"), "files": None}
        return
    try:
        _, folder = _run(registry, run_id, owner)
    except Exception as e:  # noqa: BLE001
        yield {"status": box(error_text(e, lang)), "files": None}
        return
    quant = quant if quant in QUANTS else QUANTS[0]
    label = NAMES[fmt] + (f" {quant}" if fmt == "gguf" else "")
    keep = settings or None  # the Modelfile and generation_config.json carry them
    yield {"status": _progress_line(lang, "export_running", 0, "", format=label), "files": None}
    try:
        result = yield from streamed(
            lambda p: export(folder, fmt, p, settings=keep, quant=quant),
            lambda f, msg: {"status": _progress_line(lang, "export_running", f, msg,
                                                     format=label)})
        if fmt in ("merged", "onnx"):
            yield {"status": box(tr(lang, "export_packing"), "info")}
        files = downloads(folder, result)
    except Exception as e:  # noqa: BLE001 - one sentence, the details in the log
        if not isinstance(e, StudioError):
            log.exception("export of %s as %s failed", run_id, fmt)
        yield {"status": box(error_text(e, lang)), "files": None}
        return
    size = sum(Path(f).stat().st_size for f in files)
    use = usage_text(registry, folder, fmt, quant, lang, hosted, result)
    # The download is offered while the parity check runs (minutes on a busy CPU): its
    # progress moves on the page until the report replaces it.
    ready = box(tr(lang, "export_ready", format=label, size=human_size(size)), "ok")
    checking = lambda f, msg: {"status": ready + "\n\n" + _progress_line(  # noqa: E731
        lang, "verify_progress", f, msg)}
    yield {**checking(0, ""), "files": files, "usage": use}
    checked = yield from verify_md(folder, fmt, quant, lang, checking)
    # The time is the whole wait (checks, merge, conversion, packing, parity check), read from
    # the export's one clock (ExportResult.waited): the page said "0.6 s" after 9.5 s.
    done = box(tr(lang, "export_reused" if result.reused else "export_done", format=label,
                  seconds=f"{result.waited():.1f}", size=human_size(size)), "ok")
    yield {"status": done + "\n\n" + checked}


def verify_md(folder, fmt, quant, lang, show=None):
    """Yields show(fraction, message) while the parity check (studio.export.verify: plain
    data) runs; returns its report in the page's language."""
    from studio.export.verify import verify
    try:
        report = yield from streamed(lambda p: verify(folder, fmt, quant=quant, progress=p),
                                     show or (lambda f, msg: {}))
    except Exception as e:  # noqa: BLE001 - the export itself is done; say why unchecked
        if not isinstance(e, StudioError):
            log.exception("verifying the %s export failed", fmt)
        return box(error_text(e, lang))
    return report_md(report, lang)


def report_md(report: dict, lang: str) -> str:
    if report["status"] == "missing":
        m = report.get("modelfile") or {}
        extra = "" if m.get("same") is None else "\n- " + tr(
            lang, "verify_template_same" if m["same"] else "verify_template_diff",
            source=m["source"], **(m["first_difference"] or {}))
        return box(tr(lang, "verify_missing", format=report["format"],
                      package=report["runtime"]) + extra, "info")
    if report["kind"] == "classification":
        rows = max(report["rows"], 1)
        head = tr(lang, "verify_cls", runtime=report["runtime"], same=report["same_labels"],
                  rows=report["rows"], share=f"{report['same_labels'] / rows:.0%}",
                  diff=f"{report['max_difference']:.2g}")
        lines = []
    else:
        head = tr(lang, "verify_gen", runtime=report["runtime"], same=report["identical"],
                  rows=report["rows"])
        lines = [tr(lang, "verify_answer_diff", prompt=a["prompt"][:60],
                    **a["first_difference"]) for a in report["answers"] if not a["same"]]
        t = report["template"]
        if t.get("same") is True:
            lines.append(tr(lang, "verify_template_same", source=t["source"]))
        elif t.get("same") is False:
            lines.append(tr(lang, "verify_template_diff", source=t["source"],
                            **t["first_difference"]))
        m = report.get("modelfile") or {}
        if m.get("same") is not None:
            lines.append(tr(lang, "verify_template_same" if m["same"] else "verify_template_diff",
                            source=m["source"], **(m["first_difference"] or {})))
    text = "\n".join([head] + [f"- {line}" for line in lines])
    return box(text, "ok" if report["status"] == "ok" else "warning")


def push_run(registry, run_id, repo, token, private, lang, owner=None, hosted=False):
    """Yields outputs hub_status, token. The token is used for this request only: passed to
    the engine, never stored, and the box is emptied afterwards. A hosted studio never falls
    back to the server's own HF_TOKEN."""
    from studio.export import hub
    token = (token or "").strip()
    try:
        _, folder = _run(registry, run_id, owner)
    except Exception as e:  # noqa: BLE001
        yield {"hub_status": box(error_text(e, lang)), "token": ""}
        return
    if hosted and not token:
        yield {"hub_status": box(tr(lang, "export_hub_need_token")), "token": ""}
        return
    repo = (repo or "").strip()
    yield {"hub_status": _progress_line(lang, "export_hub_pushing", 0, "", repo=repo)}
    try:
        result = yield from streamed(
            lambda p: hub.push(folder, repo, private=bool(private), token=token or None,
                               progress=p),
            lambda f, msg: {"hub_status": _progress_line(lang, "export_hub_pushing", f, msg,
                                                         repo=repo)})
    except Exception as e:  # noqa: BLE001
        if not isinstance(e, StudioError):
            log.exception("push of %s failed", run_id)
        yield {"hub_status": box(error_text(e, lang)), "token": ""}
        return
    yield {"hub_status": box(tr(lang, "export_hub_done", what=tr(lang, "export_hub_" +
                                                                  result.what),
                                repo=result.repo_id, url=result.url, count=len(result.files),
                                seconds=f"{result.seconds:.1f}"), "ok"), "token": ""}


# ---- the page ----------------------------------------------------------------------------

def build(ctx: Ctx, pick, reload_btn) -> None:
    """The panel, under the run history; `pick` is the history's run selection."""
    registry, hosted = ctx.registry, ctx.hosted
    settings = ctx.export_settings
    if settings is None:  # a page without the Try chat: GGUF gets the default settings
        settings = gr.State(None)
    with gr.Accordion(t("export_title"), open=True, elem_id="export-panel"):
        gr.Markdown(t("export_intro"))
        with gr.Row():
            run = gr.Dropdown([], value=None, label=t("export_run"), elem_id="export-run",
                              scale=2)
            fmt = gr.Radio([], label=t("export_format"), elem_id="export-format", scale=3)
            quant = gr.Radio([(t("export_quant_f16"), "f16"), (t("export_quant_q8_0"), "q8_0")],
                             value="f16", label=t("export_quant"), visible=False,
                             elem_id="export-quant", scale=2)
        note = gr.Markdown(elem_id="export-note")
        go = gr.Button(t("export_button"), variant="primary", elem_id="export-go")
        status = gr.Markdown(elem_id="export-status")
        files = gr.File(label=t("export_files"), file_count="multiple", interactive=False,
                        elem_id="export-files")
        with gr.Row():
            with gr.Column(scale=2):
                gr.Markdown(t("export_hub_title"))
                repo = gr.Textbox(label=t("export_hub_repo"), placeholder="owner/name",
                                  elem_id="export-hub-repo")
                token = gr.Textbox(label=t("export_hub_token_hosted") if hosted
                                   else t("export_hub_token"), type="password",
                                   info=t("export_hub_token_info"), elem_id="export-hub-token")
                private = gr.Checkbox(False, label=t("export_hub_private"),
                                      elem_id="export-hub-private")
                push_btn = gr.Button(t("export_hub_push"), elem_id="export-hub-push")
                hub_status = gr.Markdown(elem_id="export-hub-status")
            with gr.Column(scale=3):
                gr.Markdown(t("export_use_title"))
                use = gr.Markdown(elem_id="export-usage")

    def do_list(sel, cur, lang, request: gr.Request):
        return export_choices(registry, sel, cur, lang, owner(ctx, request))

    def do_describe(rid, f, q, s, lang, request: gr.Request):
        return describe(registry, rid, f, q, s, lang, owner(ctx, request), hosted)

    def do_explain(rid, f, q, s, lang, request: gr.Request):
        return explain(registry, rid, f, q, s, lang, owner(ctx, request), hosted)

    def do_export(rid, f, q, s, lang, request: gr.Request):
        yield from export_run(registry, rid, f, q, s, lang, owner(ctx, request), hosted)

    def do_push(rid, name, secret, private_repo, lang, request: gr.Request):
        yield from push_run(registry, rid, name, secret, private_repo, lang,
                            owner(ctx, request), hosted)

    for trigger in (ctx.tab["runs"].select, reload_btn.click, pick.change):
        wire(trigger, do_list, [pick, run, ctx.lang], {"run": run}, show_progress="hidden")
    about = [run, fmt, quant, settings, ctx.lang]
    wire(run.change, do_describe, about,
         {"format": fmt, "quant": quant, "note": note, "usage": use, "files": files,
          "status": status})
    for trigger in (fmt.change, quant.change, settings.change):
        wire(trigger, do_explain, about, {"quant": quant, "note": note, "usage": use},
             show_progress="hidden")
    heavy = {"concurrency_limit": 2, "concurrency_id": "studio-export"}
    wire(go.click, do_export, about, {"status": status, "files": files, "usage": use},
         api_name="export_run", show_progress="minimal", **heavy)
    wire(push_btn.click, do_push, [run, repo, token, private, ctx.lang],
         {"hub_status": hub_status, "token": token}, api_name="push_to_hub",
         show_progress="minimal", **heavy)
