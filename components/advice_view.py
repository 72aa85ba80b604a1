"""The training-health advisor's findings (studio.advisor) as markdown in the page's language:
one sentence each, with the settings a new run would change; shown on the Train step when the
followed run ends and on the Runs step for the selected run, with "Train again with these
settings" (`panel`), which sets only the suggested fields of the form (`apply_suggestion`).
Opening a run never writes its settings into the form: this button is the user's own act."""
from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from studio.runs import ACTIVE

from .common import box, owner, wire
from .i18n import choice_label, field_label, t, tr, worded
from .strings_zh import ZH_FINDINGS

log = logging.getLogger(__name__)


def finding_text(finding, lang: str) -> str:
    """One finding (a studio.advisor Finding or its dict) in `lang`; English when the
    language has no sentence for its code."""
    from studio.advisor.finding import SENTENCES, shown
    d = finding if isinstance(finding, dict) else finding.to_dict()
    params = shown(d.get("params") or {})
    return worded(lang, {"en": SENTENCES, "zh-CN": ZH_FINDINGS}, d.get("code"), params,
                  str(d.get("sentence") or ""))


def overrides_text(finding) -> str:
    d = finding if isinstance(finding, dict) else finding.to_dict()
    from studio.advisor.finding import show
    return ", ".join(f"`{k}={show(v)}`" for k, v in (d.get("suggestion") or {}).items())


def findings_markdown(findings: list, lang: str) -> str:
    """A heading, then each finding as a bullet with its suggested overrides."""
    if not findings:
        return tr(lang, "advice_none")
    lines = [f"**{tr(lang, 'advice_title')}**", ""]
    for f in findings:
        lines.append(f"- {finding_text(f, lang)}")
        if (over := overrides_text(f)):
            lines.append(f"  {tr(lang, 'advice_try', overrides=over)}")
    return "\n".join(lines)


# ---- a run's advice on the page ------------------------------------------------------------
def hidden() -> dict:
    """Outputs advice, advice_apply, advice_state for no run or one without findings."""
    return {"advice": "", "advice_apply": gr.update(visible=False), "advice_state": None}


def run_findings(folder) -> list[dict] | None:
    """The findings the engine recorded with the run (findings.json), else its `finding`
    events (a run the advisor stopped for diverging fails before findings.json is written);
    None when it has neither."""
    from studio.advisor.report import stored
    found = stored(folder)
    if found is not None:
        return [f.to_dict() for f in found]
    events = [e for e in folder.events() if e.get("type") == "finding"]
    return [{"code": e.get("code", ""), "params": e.get("params") or {},
             "sentence": e.get("text", ""), "suggestion": e.get("suggestion") or {}}
            for e in events] or None


def merged_suggestion(found: list[dict]) -> dict:
    """Every finding's overrides in one dict; the first finding that names a setting wins
    (the engine lists the finding that matters most first: a diverged run before the rest)."""
    out = {}
    for f in found:
        for path, value in (f.get("suggestion") or {}).items():
            out.setdefault(path, value)
    return out


def run_advice(registry, run_id, lang, owner_value=None) -> dict:
    """Outputs advice (the findings' markdown), advice_apply (the button, shown when a
    finding suggests settings) and advice_state (what the button applies) for an ended run;
    hidden for a run still going, a missing one, or one without findings."""
    import yaml
    run = registry.get(run_id, owner=owner_value) if run_id else None
    if run is None or run.status in ACTIVE:
        return hidden()
    folder = registry.folder(run)
    try:
        found = run_findings(folder)
    except Exception:  # noqa: BLE001 - advice never stops the page from following a run
        log.exception("advice: the findings of run %s could not be read", run.id)
        return hidden()
    if found is None:
        return hidden()
    suggestion = merged_suggestion(found)
    try:
        job = yaml.safe_load(folder.job_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        job = {}
    state = {"run": run.id, "suggestion": suggestion, "model": run.model,
             "data": Path(str((job.get("data") or {}).get("train_file") or "")).name,
             "was": {p: setting_of(job, p) for p in suggestion}} if suggestion else None
    return {"advice": findings_markdown(found, lang),
            "advice_apply": gr.update(visible=bool(suggestion)), "advice_state": state}


def setting_of(job: dict, path: str):
    value = job
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def form_value(path: str, value):
    """A suggested value as its widget holds it: a 'decide for me' number is a text box."""
    from studio.advisor.finding import show

    from .form import decided_by_engine, fields
    meta = fields()[path]
    if decided_by_engine(meta):
        return str(show(value))
    return int(value) if meta["type"] == "int" else value


def shown_value(path: str, value, lang: str) -> str:
    from studio.advisor.finding import show
    if value in (None, ""):
        return tr(lang, "advice_unset")
    return choice_label(value, lang) if isinstance(value, str) else str(show(value))


def apply_suggestion(state, paths, values, lang, data_state=None, model_state=None) -> dict:
    """"Train again with these settings": an update of exactly the suggested fields of the
    form (path -> update with the new value), the rest left as the user has them, and
    advice_message naming what changed ("Learning rate 0.03 → 0.003"), plus which model and
    data the run used when the page has others chosen."""
    if not state or not state.get("suggestion"):
        return {"advice_message": box(tr(lang, "advice_nothing"), "info")}
    current = dict(zip(paths, values))
    out, changes = {}, []
    for path, value in state["suggestion"].items():
        if path not in current:  # a field this page does not offer
            continue
        out[path] = gr.update(value=form_value(path, value))
        was = (state.get("was") or {}).get(path)
        changes.append(tr(lang, "advice_change", field=field_label(path, lang),
                          was=shown_value(path, was if was is not None else current[path],
                                          lang),
                          now=shown_value(path, value, lang)))
    text = tr(lang, "advice_applied", run=state["run"], changes="; ".join(changes))
    data_name = Path(str((data_state or {}).get("path") or "")).name
    if state.get("model") and ((model_state or {}).get("name") != state["model"] or (
            state.get("data") and data_name != state["data"])):
        text += " " + tr(lang, "advice_other_job", model=state["model"],
                         data=state.get("data") or "-")
    return {**out, "advice_message": box(text, "ok")}


def panel(ctx, elem: str, to_train: bool = False):
    """The findings and the button, for one step: (name -> component (advice, advice_apply,
    advice_state), the click's event). The click fills the Train form (ctx.form) and says so in
    the Train step's advice message; from another step it also opens the Train step."""
    parts = {"advice": gr.Markdown(elem_id=f"{elem}-advice"),
             "advice_apply": gr.Button(t("advice_apply"), visible=False,
                                       elem_id=f"{elem}-advice-apply"),
             "advice_state": gr.State(None)}
    if ctx.advice_message is None:  # the Train step's: where the change is said
        ctx.advice_message = gr.Markdown(elem_id="train-advice-message")
    widgets = ctx.form
    paths = list(widgets)
    outputs = {**widgets, "advice_message": ctx.advice_message}
    if to_train:
        outputs["tabs"] = ctx.tabs

    def do_apply(state, lang, data_state, model_state, *vals):
        out = apply_suggestion(state, paths, vals, lang, data_state, model_state)
        return {**out, "tabs": gr.Tabs(selected="train")} if to_train else out

    clicked = wire(parts["advice_apply"].click, do_apply,
                   [parts["advice_state"], ctx.lang, ctx.data, ctx.model, *widgets.values()],
                   outputs, api_visibility="undocumented")  # the page's only: not in the API
    check = ctx.train_check  # the form's check and estimate, for the new values
    if check:  # (the Train step chains its own: its check is made after its panel)
        wire(clicked.then, *check, show_progress="hidden", api_visibility="undocumented")
    return parts, clicked


def runs_advice(ctx, registry):
    """A handler for the Runs step: the advice of the first selected run."""
    def show(selected, lang, request: gr.Request):
        return run_advice(registry, (selected or [None])[0], lang, owner(ctx, request))
    return show
