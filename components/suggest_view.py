"""The settings the engine suggests before training (studio.advisor.suggest, in the preview:
`Preview.suggested`), shown under the Train step's estimate: the learning rate, epochs and
batch size to start from, each with its rule's one-line reason, and "Use suggested settings",
which sets exactly those fields of the form and says what changed. The page computes nothing:
it shows the engine's values and reasons in the page's language."""
from __future__ import annotations

import gradio as gr

from .common import box, wire
from .i18n import field_label, t, tr, worded
from .strings_zh import ZH_SUGGEST


def reason_text(item: dict, lang: str) -> str:
    """One rule's reason in `lang`: the Chinese template of its code with the engine's
    numbers, else the engine's English sentence."""
    from studio.advisor.finding import show
    from studio.advisor.suggest import REASONS
    params = {k: show(v) for k, v in (item.get("params") or {}).items()}
    return worded(lang, {"en": REASONS, "zh-CN": ZH_SUGGEST}, item.get("code"), params,
                  str(item.get("reason") or ""))


def suggestion_markdown(suggested: list[dict], lang: str) -> str:
    """A heading, then each suggested value as a bullet with its reason."""
    if not suggested:
        return ""
    from studio.advisor.finding import show
    lines = [f"**{tr(lang, 'suggest_title')}**", ""]
    for s in suggested:
        lines.append("- " + tr(lang, "suggest_item", field=field_label(s["path"], lang),
                               value=show(s["value"]), reason=reason_text(s, lang)))
    return "\n".join(lines)


def hidden() -> dict:
    """Outputs suggested, suggest_apply, suggest_state when there is no preview."""
    return {"suggested": "", "suggest_apply": gr.update(visible=False), "suggest_state": None}


def shown(preview, lang: str) -> dict:
    """Outputs suggested, suggest_apply, suggest_state for a jobs.preview answer: the state
    keeps the suggestion and what the preview resolved each field to (what the form's 'decide
    for me' boxes would train with), so the click can say "Learning rate 0.001 → 5e-05"."""
    suggested = list(getattr(preview, "suggested", None) or [])
    if not suggested:
        return hidden()
    resolved = {s["path"]: _value_at(preview.cfg, s["path"]) for s in suggested}
    return {"suggested": suggestion_markdown(suggested, lang),
            "suggest_apply": gr.update(visible=True),
            "suggest_state": {"suggested": suggested, "resolved": resolved}}


def _value_at(cfg, path: str):
    value = cfg
    for part in path.split("."):
        value = getattr(value, part, None)
    return value


def apply_suggested(state, paths, values, lang) -> dict:
    """"Use suggested settings": an update of exactly the suggested fields of the form (path
    -> update), and suggest_message naming what changed ("Epochs 3 → 10")."""
    from .advice_view import form_value, shown_value
    if not state or not state.get("suggested"):
        return {"suggest_message": box(tr(lang, "suggest_nothing"), "info")}
    current = dict(zip(paths, values))
    out, changes = {}, []
    for s in state["suggested"]:
        path, value = s["path"], s["value"]
        if path not in current:  # a field this page does not offer
            continue
        was = current[path]
        if was in (None, ""):  # a 'decide for me' box: what the engine would have used
            was = (state.get("resolved") or {}).get(path)
        out[path] = gr.update(value=form_value(path, value))
        if was is None or float(was) != float(value):
            changes.append(tr(lang, "advice_change", field=field_label(path, lang),
                              was=shown_value(path, was, lang),
                              now=shown_value(path, value, lang)))
    if not changes:
        return {**out, "suggest_message": box(tr(lang, "suggest_same"), "info")}
    return {**out, "suggest_message": box(tr(lang, "suggest_applied",
                                             changes="; ".join(changes)), "ok")}


def panel(ctx, widgets: dict):
    """The suggestion, its button and the click's message, under the estimate: (name ->
    component (suggested, suggest_apply, suggest_state), the click's event). The Train step
    adds the first three to its estimate's outputs and chains its check after the click."""
    parts = {"suggested": gr.Markdown(elem_id="train-suggested"),
             "suggest_apply": gr.Button(t("suggest_apply"), visible=False, size="sm",
                                        elem_id="train-suggest-apply"),
             "suggest_state": gr.State(None)}
    message = gr.Markdown(elem_id="train-suggest-message")
    paths = list(widgets)

    def do_apply(state, lang, *vals):
        return apply_suggested(state, paths, vals, lang)

    clicked = wire(parts["suggest_apply"].click, do_apply,
                   [parts["suggest_state"], ctx.lang, *widgets.values()],
                   {**widgets, "suggest_message": message},
                   api_visibility="undocumented")  # the page's own: not in the API
    return parts, clicked
