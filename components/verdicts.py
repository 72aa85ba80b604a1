"""A studio.leaderboard.Verdict in the page's language: shared by the leaderboard and the
blind-ratings table, which both show the engine's verdicts."""
from __future__ import annotations

from .i18n import tr
from .strings_en import EN


def verdict_sentence(verdict, lang: str) -> str:
    """A studio.leaderboard.Verdict in `lang`, by its code (English: the engine's sentence
    when no template fits)."""
    params = dict(verdict.params)
    how = "lb_how_mcnemar" if params.get("test") == "McNemar" else "lb_how_bootstrap"
    params["how"] = tr(lang, how, p=params.get("p", ""), n=params.get("n", ""))
    key = "lb_verdict_" + verdict.code
    return tr(lang, key, **params) if key in EN else verdict.message
