"""Step 2 - Model: the three families, the presets, any Hub id or folder; size and fit."""
from __future__ import annotations

import gradio as gr

from . import fmt
from .common import Ctx, box, wire
from .i18n import error_text, t, tr

FAMILIES = ("bert", "gpt", "t5")


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


def language_note(data_state: dict, name: str, lang: str) -> str:
    """For Chinese data on a preset that does not know Chinese: which presets do, and that the
    offline presets are English."""
    from studio.models import PRESETS, chinese_presets
    task = (data_state or {}).get("task")
    if not (data_state or {}).get("chinese") or name not in PRESETS or PRESETS[name].chinese:
        return ""
    fluent = chinese_presets(task)
    if not fluent:
        return ""
    return box(tr(lang, "model_chinese_note", presets=", ".join(fluent)), "warning")


def model_info(name: str, data_state: dict, lang: str) -> dict:
    """What the model is and whether it fits the data's task, said before any training starts:
    outputs info, model_state, train_tab. Every fact comes from `jobs.model_facts`."""
    from studio import jobs
    name = (name or "").strip()
    refused = {"model_state": {}, "train_tab": gr.Tab(interactive=False)}
    if not name:
        return {"info": box(tr(lang, "model_pick")), **refused}
    task = (data_state or {}).get("task") or "auto"
    try:
        facts = jobs.model_facts(name, task, (data_state or {}).get("labels", []))
    except Exception as e:  # noqa: BLE001 - shown as one sentence
        return {"info": box(error_text(e, lang)), **refused}
    lines = [tr(lang, "model_summary", name=name, family=facts.family.upper(),
                params=fmt.count(facts.parameters), lora=fmt.count(facts.lora_trainable))]
    if facts.untrained:
        lines.append(box(tr(lang, "model_untrained_note"), "warning"))
    note = language_note(data_state, name, lang)
    if note:
        lines.append(note)
    if task == "auto":
        lines.append(box(tr(lang, "model_no_data"), "info"))
    else:
        lines.append(box(tr(lang, "model_fits", task=tr(lang, "task_" + task)), "ok"))
    state = {"name": name, "family": facts.family, "parameters": facts.parameters,
             "lora_trainable": facts.lora_trainable, "max_length": facts.max_length,
             "valid": task != "auto"}
    return {"info": "\n\n".join(lines), "model_state": state,
            "train_tab": gr.Tab(interactive=state["valid"])}


def on_data(data_state: dict, model_state: dict, current: str, lang: str) -> dict:
    """New data: re-check the chosen model against its task, or suggest one that fits.
    Outputs preset, info, model_state, train_tab."""
    from studio.models import TASK_FAMILIES, suggest
    if not (data_state or {}).get("valid"):
        return {"info": "", "model_state": {}, "train_tab": gr.Tab(interactive=False)}
    name = (model_state or {}).get("name") or current
    fits = (model_state or {}).get("family") in TASK_FAMILIES.get(data_state.get("task"), ())
    name = name if name and (fits or not model_state) else suggest(
        data_state.get("task"), bool(data_state.get("chinese")))
    presets = {value for _, value in preset_choices()}
    return {"preset": gr.update(value=name if name in presets else None),
            **model_info(name, data_state, lang)}


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
            # Hosted: presets and Hub ids only (the engine refuses anything else with one
            # sentence, the same whether or not a folder of that name exists on the server).
            custom = gr.Textbox(label=t("model_custom_hosted" if ctx.hosted else "model_custom"),
                                placeholder=t("model_custom_hosted_hint" if ctx.hosted
                                              else "model_custom_hint"),
                                elem_id="model-custom")
            check = gr.Button(t("model_check"), variant="secondary")
        with gr.Column(scale=3):
            info = gr.Markdown(elem_id="model-info")
    with gr.Accordion(t("model_all_presets"), open=False):
        table = gr.Markdown()
    outputs = {"info": info, "model_state": ctx.model, "train_tab": ctx.tab["train"]}

    wire(preset.input, model_info, [preset, ctx.data, ctx.lang], outputs)
    wire(check.click, model_info, [custom, ctx.data, ctx.lang], outputs, api_name="check_model")
    wire(custom.submit, model_info, [custom, ctx.data, ctx.lang], outputs)
    wire(ctx.data.change, on_data, [ctx.data, ctx.model, preset, ctx.lang],
         {"preset": preset, **outputs})
    ctx.preset_table = (table, preset_table)
