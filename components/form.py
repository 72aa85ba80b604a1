"""Training settings as widgets, generated from the JobConfig field metadata.

Bounds, choices, defaults and help come from `studio.config.describe_fields()`, so a field added
to the config shows up here (in the Advanced section) with the right limits and no UI change.
"""
from __future__ import annotations

import gradio as gr

from .common import box
from .i18n import error_text, t, tr

BASIC = ("name", "train.learning_rate", "train.batch_size", "train.epochs", "method.method")
# Data/model fields that belong on the Train step; the rest of data.* is set by the Data step.
EXTRA = ("data.validation_fraction", "data.max_rows", "data.system_prompt",
         "model.trust_remote_code")


def fields() -> dict[str, dict]:
    from studio.config import describe_fields
    return {f["path"]: f for f in describe_fields()}


REMOTE_CODE = "model.trust_remote_code"


def advanced_paths(hosted: bool = False) -> list[str]:
    """The Advanced section's fields. Hosted: never model.trust_remote_code (the page cannot
    turn it on, and the engine refuses a crafted job that does)."""
    return [p for p, f in fields().items() if p not in BASIC and (
        p in EXTRA or (f.get("advanced") and p.startswith(("train.", "method."))))
        and not (hosted and p == REMOTE_CODE)]


def decided_by_engine(f: dict) -> bool:
    """A 'decide for me' number: empty unless the user types one (None goes to the engine)."""
    return f["nullable"] and f["type"] in ("int", "float")


def choices(values, path: str = "") -> list[tuple]:
    """(label, value) pairs for a setting's allowed values; the label is translated in the
    browser where the string tables have one (full -> 全量微调), else the value itself. A
    setting's own label for a value (`choice_<path>_<value>`: method's "auto (by model size)")
    comes before the shared one (`choice_<value>`)."""
    from .strings_en import EN
    out = []
    for v in values:
        key = next((k for k in (f"choice_{path}_{v}", f"choice_{v}") if k in EN), None)
        out.append((t(key) if key else str(v), v))
    return out


def widget(path: str, f: dict):
    """One gr component for one config field.

    Every widget starts at the config's default, so an untouched form sends exactly what the
    CLI would. Numbers carry no gradio minimum/maximum: gradio would refuse a value out of
    bounds with its own English pop-up, unnamed; `problems` checks every value with the
    engine's own rules and the page says what is wrong next to the field, in its language.
    A 'decide for me' number is an empty one-line box whose placeholder says what the engine
    picks (filled in by the Train step from `jobs.preview`): Gradio 6's Number cannot be empty
    (its frontend turns None into 0, gradio issue #6728), and 0 is a real dropout."""
    label, info = t("field_" + path), t("help_" + path)
    default, kind = f["default"], f["type"]
    elem_id = "f-" + path.replace(".", "-").replace("_", "-")
    if decided_by_engine(f):
        return gr.Textbox(value="", placeholder=t("form_auto"), label=label, info=info,
                          max_lines=1, elem_id=elem_id)
    if f.get("choices"):
        return gr.Dropdown(choices(f["choices"], path), value=default, label=label, info=info,
                           elem_id=elem_id)
    if kind == "bool" and f.get("nullable"):  # three states: decided by the task, on, off
        return gr.Dropdown(choices(["auto", "true", "false"]), value="auto", label=label,
                           info=info, elem_id=elem_id)
    if kind == "bool":
        return gr.Checkbox(value=bool(default), label=label, info=info, elem_id=elem_id)
    if kind in ("int", "float"):
        # Shares (0 to 1) step by hundredths. No slider: gradio's slider refuses a typed
        # number beyond its range with its own English pop-up, before any check of ours.
        share = kind == "float" and f.get("min") == 0 and (f.get("max") or 2) <= 1
        return gr.Number(value=default, label=label, info=info,
                         precision=0 if kind == "int" else None,
                         step=1 if kind == "int" else 0.01 if share else None,
                         elem_id=elem_id)
    return gr.Textbox(value=default or "", label=label, info=info, elem_id=elem_id)


def build_widgets(hosted: bool = False) -> dict:
    """Basic widgets in a row, the rest in the Advanced accordion; path -> component.
    Local: turning model.trust_remote_code on shows what it means."""
    meta = fields()
    out = {}
    with gr.Row():
        for path in BASIC:
            out[path] = widget(path, meta[path])
    with gr.Accordion(t("train_advanced"), open=False, elem_id="train-advanced"):
        paths = advanced_paths(hosted)
        for i in range(0, len(paths), 4):
            with gr.Row():
                for path in paths[i:i + 4]:
                    out[path] = widget(path, meta[path])
        if REMOTE_CODE in out:
            warning = gr.Markdown(t("remote_code_warning"), visible=False,
                                  elem_id="remote-code-warning",
                                  elem_classes=["studio-problems"])
            out[REMOTE_CODE].change(lambda on: gr.update(visible=bool(on)), out[REMOTE_CODE],
                                    warning, show_progress="hidden", queue=False)
    return out


def settings(values: dict) -> dict:
    """What the form sends, as the engine takes it: a 'decide for me' field left empty is left
    out (exactly like a field the CLI was not given), a whole float in an int field is an int."""
    meta, clean = fields(), {}
    for path, value in values.items():
        if meta[path]["nullable"] and (value is None or str(value).strip() in ("", "auto")):
            continue
        if isinstance(value, float) and meta[path]["type"] == "int":
            value = int(value) if value.is_integer() else value
        clean[path] = value
    return clean


def problems(values: dict, lang: str) -> dict[str, str]:
    """path -> what is wrong with that field's value, one sentence in `lang` naming the field
    by its label; {} when every value is one the engine takes. The engine's own cast and
    bounds (`JobConfig.override`, from the field metadata) decide: the form never has rules
    of its own."""
    from studio.config import JobConfig
    from studio.errors import StudioError
    out = {}
    for path, value in settings(values).items():
        try:
            JobConfig().override({path: value})
        except StudioError as e:
            out[path] = error_text(e, lang)
    return out


def marks(paths, wrong: dict, lang: str) -> dict:
    """path -> update of the field's help line: the problem (in red, see studio.css) where
    there is one, the help text again where there is none."""
    return {path: gr.update(info=box(wrong[path]), elem_classes=["studio-invalid"])
            if path in wrong else gr.update(info=tr(lang, "help_" + path), elem_classes=[])
            for path in paths}


def job_config(data_state: dict, model_state: dict, values: dict):
    """A JobConfig from the Data and Model steps and the form; ConfigError if a value is off."""
    from studio.config import JobConfig
    from studio.data import roles_to_config
    cfg = JobConfig()
    cfg.task = data_state.get("task", "auto")
    cfg.data.train_file = data_state.get("path", "")
    cfg.data.validation_file = data_state.get("validation_path", "")
    if data_state.get("unnamed_columns"):  # the Data step's choice for spilled-over text
        cfg.override({"data.unnamed_columns": data_state["unnamed_columns"]})
    roles_to_config(cfg.data, data_state.get("overrides") or {})  # only what the user set
    cfg.model.name = model_state.get("name", "")
    cfg.override(settings(values))
    return cfg.validate()


def settled_job(data_state: dict, model_state: dict, values: dict):
    """(JobConfig, notes): the job the form asks for, with every value the user set that does
    not apply to this data, model and method put back to its default by the engine
    (`studio.jobs.applies.settle`); each note says which and why. Never a refusal."""
    from studio.jobs.applies import settle
    cfg = job_config(data_state, model_state, values)
    return settle(cfg, (data_state or {}).get("task"), (model_state or {}).get("family"),
                  (model_state or {}).get("parameters"))


def widget_default(path: str):
    """What a widget shows for a setting nobody changed (see `widget`)."""
    f = fields()[path]
    if decided_by_engine(f):
        return ""
    if f["type"] == "bool" and f["nullable"]:
        return "auto"
    return f["default"] if f["default"] is not None else ""


def reset_notes(notes: list, lang: str) -> tuple[list[str], dict]:
    """(one sentence per setting the engine put back, path -> update showing its default)."""
    from .i18n import field_label
    lines = [tr(lang, "applies_" + n["code"], field=field_label(n["field"], lang),
                family=n["family"], task=tr(lang, "task_" + n["task"]) if n["task"] else "")
             for n in notes]
    return lines, {n["field"]: gr.update(value=widget_default(n["field"])) for n in notes}


def visibility(paths, task, family, method, packing, devices=1) -> dict:
    """path -> update showing only the settings that apply to this task, model family and
    method (the engine's `applies.inapplicable`); an unknown part hides nothing."""
    from studio.jobs.applies import CONDITIONAL, inapplicable
    hidden = inapplicable(task, family, method, packing, devices)
    return {p: gr.update(visible=p not in hidden) for p in paths if p in CONDITIONAL}


def known_visibility(paths, data_state: dict, model_state: dict, values: dict) -> dict:
    """`visibility` before the engine's preview can answer (no data or model yet, a value
    being fixed): from what the Data and Model steps and the form already say."""
    from studio.jobs.adapters import auto_method
    sent = settings(values)
    family = (model_state or {}).get("family")
    method = sent.get("method.method", "auto")
    if method == "auto":
        method = auto_method(family, (model_state or {}).get("parameters")) if family else None
    packing = sent.get("train.packing")
    packing = None if packing is None else str(packing).lower() == "true"
    return visibility(paths, (data_state or {}).get("task"), family, method, packing,
                      sent.get("train.devices", 1))


def shown_settings(config: dict, paths, lang: str) -> list[tuple[str, str]]:
    """(label, value) for a run's settings as its job.yaml recorded them (resolved), for the
    read-only view of a run that was opened: the basic ones and every other one that differs
    from a new job's default. Nothing here ever goes back into the form."""
    from .i18n import choice_label, field_label
    meta, out = fields(), []
    for path in paths:
        value = config
        for part in path.split("."):
            value = (value or {}).get(part) if isinstance(value, dict) else None
        if value in (None, "") or (path not in BASIC and value == meta[path]["default"]):
            continue
        if isinstance(value, bool):  # on/off in the page's language, as the form says it
            shown = choice_label(str(value).lower(), lang)
        elif isinstance(value, str) and meta[path].get("choices"):
            shown = choice_label(value, lang)
        elif isinstance(value, (list, tuple, str)):  # names (run, model, LoRA targets, a
            # system prompt): the user's or the model's words, shown as they are
            shown = "`" + (", ".join(map(str, value)) if not isinstance(value, str)
                           else value) + "`"
        else:
            shown = str(value)
        out.append((field_label(path, lang), shown))
    return out


def run_settings(registry, run_id, paths, lang, owner=None) -> dict:
    """Output run_settings: the settings of the run this page follows (its job.yaml, as it
    resolved them), read-only, for a page that opens on a run (reload, Runs -> Open, "Use this
    run"). They never go into the form: the next job is what the user sets, and what they
    leave alone follows the next data and model ("" for no run)."""
    import yaml
    run = registry.get(run_id, owner=owner) if run_id else None
    if run is None:
        return {"run_settings": ""}
    try:
        config = yaml.safe_load(registry.folder(run).job_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {"run_settings": ""}
    rows = shown_settings(config or {}, paths, lang)
    return {"run_settings": tr(lang, "train_run_settings", run=run.id) + "\n\n" + " · ".join(
        f"{label} **{value}**" for label, value in rows)}


def engine_picks(resolved, paths, lang: str) -> dict:
    """path -> placeholder update saying what the engine chose for each 'decide for me' number
    among `paths`, read from a resolved config (`jobs.preview(...).cfg`); a value the engine
    leaves empty (dropout: the model's own) says so."""
    meta, out = fields(), {}
    for path in paths:
        if not decided_by_engine(meta[path]):
            continue
        value = resolved
        for part in path.split("."):
            value = getattr(value, part)
        out[path] = gr.update(placeholder=tr(lang, "form_engine_value", value=value)
                              if value is not None else tr(lang, "form_model_own"))
    return out
