"""Step 2 - Model: the three families, the presets, any Hub id or folder; size and fit."""
from __future__ import annotations

import gradio as gr

from .common import Ctx, box, fmt_count
from .i18n import error_text, t, tr

FAMILIES = ("bert", "gpt", "t5")
SUGGESTED = {"classification": ("minilm-l6", "tiny-bert"), "chat": ("smollm2-135m", "tiny-gpt"),
             "text2text": ("smollm2-135m", "tiny-t5")}


def preset_choices() -> list[tuple[str, str]]:
    """(label, name) pairs; the marks are explained by the translated legend under the list."""
    from studio.models import list_presets
    out = []
    for p in list_presets():
        mark = "✱" if p["untrained"] else ("✔" if p["offline"] else "☁")
        out.append((f"{mark} {p['name']} ({p['family'].upper()})", p["name"]))
    return out


def preset_table(lang: str) -> str:
    from studio.models import list_presets
    rows = [f"| {tr(lang, 'preset_name')} | {tr(lang, 'preset_family')} | "
            f"{tr(lang, 'preset_where')} | {tr(lang, 'preset_what')} |", "|---|---|---|---|"]
    for p in list_presets():
        where = tr(lang, "preset_untrained") if p["untrained"] else tr(
            lang, "preset_offline" if p["offline"] else "preset_download")
        desc = tr(lang, f"preset_desc_{p['name']}")
        desc = p["description"] if desc == f"preset_desc_{p['name']}" else desc
        rows.append(f"| `{p['name']}` | {p['family'].upper()} | {where} | {desc} |")
    return "\n".join(rows)


def suggest(task: str) -> str:
    from studio.models import PRESETS, preset_available
    for name in SUGGESTED.get(task, ("tiny-bert",)):
        if preset_available(PRESETS[name]):
            return name
    return "tiny-bert"


def count_parameters(location: str, family: str, task: str, labels: list[str],
                     lora_cfg=None) -> tuple[int, int]:
    """(all parameters, trainable with LoRA) from the model's config alone: the model is
    built on PyTorch's meta device, so no weights are read and nothing is allocated."""
    import torch
    from transformers import (AutoModelForCausalLM, AutoModelForSeq2SeqLM,
                              AutoModelForSequenceClassification)
    from studio import jobs, models
    config = models.load_config(location)
    if task == "classification":
        config.num_labels = max(2, len(labels or []))
        cls = AutoModelForSequenceClassification
    else:
        cls = AutoModelForSeq2SeqLM if family == "t5" else AutoModelForCausalLM
    with torch.device("meta"):
        model = cls.from_config(config)
    total = sum(p.numel() for p in model.parameters())
    if lora_cfg is None:
        return total, 0
    lora = jobs.apply_lora(model, lora_cfg, family)
    return total, sum(p.numel() for p in lora.parameters() if p.requires_grad)


def model_info(name: str, data_state: dict, lang: str):
    """(message, model state, Train-tab update): what the model is and whether it fits the
    data's task, said before any training starts."""
    from studio import jobs, models
    from studio.config import JobConfig
    name = (name or "").strip()
    if not name:
        return box(tr(lang, "model_pick")), {}, gr.Tab(interactive=False)
    task = (data_state or {}).get("task") or "auto"
    try:
        info = models.describe(name)
        if task != "auto":
            models.check_task_family(task, info.family)
        cfg = JobConfig(task=task if task != "auto" else "classification")
        cfg.method.method = "lora"
        cfg = jobs.resolve_defaults(cfg, info.family, info.preset)
        total, lora = count_parameters(info.location, info.family, cfg.task,
                                       (data_state or {}).get("labels", []), cfg)
    except Exception as e:  # noqa: BLE001 - shown as one sentence
        return box(error_text(e, lang)), {}, gr.Tab(interactive=False)
    lines = [tr(lang, "model_summary", name=name, family=info.family.upper(),
                params=fmt_count(total), lora=fmt_count(lora))]
    if info.preset is not None and info.preset.untrained:
        lines.append(box(tr(lang, "model_untrained_note"), "warning"))
    if task == "auto":
        lines.append(box(tr(lang, "model_no_data"), "info"))
    else:
        lines.append(box(tr(lang, "model_fits", task=tr(lang, "task_" + task)), "ok"))
    state = {"name": name, "family": info.family, "parameters": total, "lora_trainable": lora,
             "valid": task != "auto"}
    return "\n\n".join(lines), state, gr.Tab(interactive=state["valid"])


def build(ctx: Ctx) -> None:
    gr.Markdown(t("model_intro"))
    with gr.Row(equal_height=True):
        for fam in FAMILIES:
            with gr.Column(elem_classes=["studio-card"]):
                gr.Markdown(t(f"family_{fam}_title"))
                gr.Markdown(t(f"family_{fam}_what"))
    with gr.Row():
        with gr.Column(scale=2):
            preset = gr.Dropdown(preset_choices(), value=None, label=t("model_preset"),
                                 elem_id="model-preset")
            gr.Markdown(t("model_legend"))
            custom = gr.Textbox(label=t("model_custom"), placeholder="owner/name  |  /path/to/model",
                                elem_id="model-custom")
            check = gr.Button(t("model_check"), variant="secondary")
        with gr.Column(scale=3):
            info = gr.Markdown(elem_id="model-info")
    with gr.Accordion(t("model_all_presets"), open=False):
        table = gr.Markdown()
    ctx.parts["model_preset"] = preset
    outputs = [info, ctx.model, ctx.tab["train"]]

    preset.input(model_info, [preset, ctx.data, ctx.lang], outputs)
    check.click(model_info, [custom, ctx.data, ctx.lang], outputs)
    custom.submit(model_info, [custom, ctx.data, ctx.lang], outputs)

    def on_data(data_state, model_state, current, lang):
        """New data: re-check the chosen model against its task, or suggest one."""
        name = (model_state or {}).get("name") or current
        if not (data_state or {}).get("valid"):
            return gr.update(), "", {}, gr.Tab(interactive=False)
        from studio.models import TASK_FAMILIES
        fits = (model_state or {}).get("family") in TASK_FAMILIES.get(data_state.get("task"), ())
        name = name if name and (fits or not model_state) else suggest(data_state.get("task"))
        return (gr.update(value=name if name in dict((v, k) for k, v in preset_choices())
                          else None), *model_info(name, data_state, lang))

    ctx.data.change(on_data, [ctx.data, ctx.model, preset, ctx.lang], [preset, *outputs])
    ctx.parts["preset_table"] = (table, preset_table)
