"""The training-health advisor's findings (studio.advisor) as markdown in the page's language:
one sentence each, with the settings a new run would change. Not wired into a step yet: the
Train / Runs / Try steps are to call `findings_markdown` with the run's findings."""
from __future__ import annotations

from .i18n import fill, tr
from .strings_zh import ZH_FINDINGS


def finding_text(finding, lang: str) -> str:
    """One finding (a studio.advisor Finding or its dict) in `lang`; English when the
    language has no sentence for its code."""
    d = finding if isinstance(finding, dict) else finding.to_dict()
    if lang != "en" and d.get("code") in ZH_FINDINGS:
        from studio.advisor.finding import show
        text = fill(ZH_FINDINGS[d["code"]], {k: show(v) for k, v in
                                             (d.get("params") or {}).items()})
        if text:
            return text
    return str(d.get("sentence") or "")


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
