"""The advisor over one run: `findings(run_folder)` reads the run's own files and applies
every rule; `record(folder, writer)` stores them with the run when it ends (findings.json,
a "findings" list in metrics.json, and one `finding` event each, before the final event)."""
from __future__ import annotations

import logging
from pathlib import Path

from ..runfolder import RunFolder
from . import curves, outputs
from .facts import read_facts
from .finding import Finding

log = logging.getLogger(__name__)


def findings(run_folder: RunFolder | str | Path, done: bool = False) -> list[Finding]:
    """`done`: the run has ended well but its final event is not written yet (record's case:
    the findings go in before `done`, and "still learning" asks for a run that finished)."""
    folder = run_folder if isinstance(run_folder, RunFolder) else RunFolder(run_folder)
    f = read_facts(folder)
    if done and not f.final:
        f.final = {"type": "done"}
    found = []
    high = curves.lr_too_high(f)
    if high:  # a diverged curve says nothing about over- or under-fitting
        found.append(high)
    else:
        found += [x for x in (curves.lr_too_low_or_high_flat(f), curves.overfitting(f),
                              curves.still_learning(f)) if x]
    predictions = None
    if f.task == "classification" and not (f.after or {}).get("per_class"):
        predictions = folder.outputs("predictions", "after")
    found += [x for x in (outputs.classes_ignored(f, predictions), outputs.too_little_data(f),
                          outputs.generation_empty(f), outputs.generation_repeats(f)) if x]
    return found


def record(folder: RunFolder, writer) -> list[Finding]:
    """Store the run's findings (called once training has ended, before the final event).
    Advice never fails a run: an error here is logged and the run ends as it would have."""
    try:
        found = findings(folder, done=True)
        folder.write_findings([x.to_dict() for x in found])
        metrics = folder.metrics()
        if metrics:  # also in metrics.json: what `runs --json` and the leaderboard read
            folder.write_metrics({**metrics, "findings": [x.to_dict() for x in found]})
        for x in found:
            writer.emit("finding", code=x.code, text=x.sentence, params=x.params,
                        suggestion=x.suggestion)
        return found
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("advisor: the run's findings could not be computed")
        return []


def stored(folder: RunFolder) -> list[Finding] | None:
    """The findings recorded with the run, None when it has none recorded."""
    data = folder.read_findings()
    return None if data is None else [Finding.from_dict(d) for d in data
                                      if isinstance(d, dict)]
