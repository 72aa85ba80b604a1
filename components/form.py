"""Training settings as widgets, generated from the JobConfig field metadata.

Bounds, choices, defaults and help come from `studio.config.describe_fields()`, so a field added
to the config shows up here (in the Advanced section) with the right limits and no UI change.
"""
from __future__ import annotations

import gradio as gr

from .i18n import t

BASIC = ("name", "train.learning_rate", "train.batch_size", "train.epochs", "method.method")
# Data/model fields that belong on the Train step; the rest of data.* is set by the Data step.
EXTRA = ("data.validation_fraction", "data.max_rows", "data.system_prompt",
         "model.trust_remote_code")


def fields() -> dict[str, dict]:
    from studio.config import describe_fields
    return {f["path"]: f for f in describe_fields()}


def advanced_paths() -> list[str]:
    return [p for p, f in fields().items() if p not in BASIC and (
        p in EXTRA or (f.get("advanced") and p.startswith(("train.", "method."))))]


def resolved_defaults(model: str = "", method: str = "full", task: str = "classification",
                      family: str = "bert"):
    """Values for the 'decide for me' fields (learning rate, max length) of a model, so the
    form shows real numbers (gr.Number cannot be empty) that match what a run would use."""
    from studio import jobs, models
    from studio.config import JobConfig
    preset = models.PRESETS.get(model or JobConfig().model.name)
    family = preset.family if preset else family
    cfg = JobConfig(task=task if task != "auto" else "classification")
    cfg.method.method = method
    cfg = jobs.resolve_defaults(cfg, family, preset)
    return {"train.learning_rate": cfg.train.learning_rate,
            "train.max_length": cfg.train.max_length}


def widget(path: str, f: dict):
    """One gr component for one config field: numbers are gr.Number/gr.Slider with bounds."""
    label, info = t("field_" + path), t("help_" + path)
    default, kind = f["default"], f["type"]
    if default is None:
        default = resolved_defaults().get(path, f.get("min"))
    elem_id = "f-" + path.replace(".", "-").replace("_", "-")
    if f.get("choices"):
        return gr.Dropdown(list(f["choices"]), value=default, label=label, info=info,
                           elem_id=elem_id)
    if kind == "bool" and f.get("nullable"):  # three states: decided by the task, on, off
        return gr.Dropdown(["auto", "true", "false"], value="auto", label=label, info=info,
                           elem_id=elem_id)
    if kind == "bool":
        return gr.Checkbox(value=bool(default), label=label, info=info, elem_id=elem_id)
    if kind in ("int", "float"):
        lo, hi = f.get("min"), f.get("max")
        if kind == "float" and lo == 0 and hi is not None and hi <= 1:
            return gr.Slider(lo, hi, value=default, step=0.01, label=label, info=info,
                             elem_id=elem_id)
        return gr.Number(value=default, label=label, info=info, minimum=lo, maximum=hi,
                         precision=0 if kind == "int" else None,
                         step=1 if kind == "int" else None, elem_id=elem_id)
    return gr.Textbox(value=default or "", label=label, info=info, elem_id=elem_id)


def build_widgets() -> dict:
    """Basic widgets in a row, the rest in the Advanced accordion; path -> component."""
    meta = fields()
    out = {}
    with gr.Row():
        for path in BASIC:
            out[path] = widget(path, meta[path])
    with gr.Accordion(t("train_advanced"), open=False, elem_id="train-advanced"):
        paths = advanced_paths()
        for i in range(0, len(paths), 4):
            with gr.Row():
                for path in paths[i:i + 4]:
                    out[path] = widget(path, meta[path])
    return out


def job_config(data_state: dict, model_state: dict, values: dict):
    """A JobConfig from the Data and Model steps and the form; ConfigError if a value is off."""
    from studio.config import JobConfig
    from .common import ROLE_FIELDS
    cfg = JobConfig()
    cfg.task = data_state.get("task", "auto")
    cfg.data.train_file = data_state.get("path", "")
    cfg.data.validation_file = data_state.get("validation_path", "")
    for role, column in (data_state.get("overrides") or {}).items():
        if role in ROLE_FIELDS:
            setattr(cfg.data, ROLE_FIELDS[role], column)
    cfg.model.name = model_state.get("name", "")
    clean = {}
    for path, value in values.items():
        if (value is None or value == "auto") and fields()[path]["nullable"]:
            continue
        if isinstance(value, float) and fields()[path]["type"] == "int":
            value = int(value) if value.is_integer() else value
        clean[path] = value
    cfg.override(clean)
    return cfg.validate()
