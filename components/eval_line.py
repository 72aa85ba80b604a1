"""The Train step's line while a run evaluates: "Evaluating the base model: 12 / 72 rows, about
40 s left", from the engine's `eval_progress` events (studio/eval_progress.py). live.py keeps the
latest such event in the tail and clears it when the evaluation ends."""
from __future__ import annotations

from . import fmt
from .i18n import tr

PHASES = ("before", "during", "after")
PARTS = ("loss", "generate")


def eval_line(tail: dict, lang: str) -> str:
    """The counter of the evaluation in progress, or "" when none is."""
    p = tail.get("eval_progress")
    if not p or tail.get("final") or p.get("phase") not in PHASES or \
            p.get("part") not in PARTS:
        return ""
    eta = p.get("eta_s")
    left = tr(lang, "eval_eta", eta=fmt.duration(eta, lang)) if eta is not None \
        else tr(lang, "eta_estimating")
    return tr(lang, "eval_progress_" + p["part"], what=tr(lang, "eval_phase_" + p["phase"]),
              done=p.get("done", 0), total=p.get("total", 0), eta=left)
