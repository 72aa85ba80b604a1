"""A cleaned data version: the user's relabel / exclude edits applied to a copy of the file.

The source file is never changed. The new file is a UTF-8 CSV with the same columns (minus the
excluded rows, with the relabelled rows' new labels), so it has its own fingerprint
(studio.data.fingerprint) and the leaderboard shows a run on it beside runs on the original.
Next to it, `<file>.edits.json` records what changed: the source's name and fingerprint, the
excluded rows and the relabelled rows (1-based row numbers of the source). A job trained on the
version copies that record into its job.yaml as `data.label_edits` (studio.jobs.plan's
record_data calls `edits_for`), so a run folder alone says which labels were changed.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ..data import fingerprint

log = logging.getLogger(__name__)

EDITS_SUFFIX = ".edits.json"
EXCLUDE, KEEP, RELABEL = "exclude", "keep", "relabel"


@dataclass
class Version:
    path: str
    fingerprint: str
    record: dict


def edits_from(suspects, threshold: float, action: str = EXCLUDE) -> dict[int, str]:
    """row -> "exclude" or the new label, for every suspect at least `threshold` confident."""
    return {s.row: (EXCLUDE if action == EXCLUDE else s.suggested)
            for s in suspects if s.confidence >= threshold}


def save_version(source, edits: dict[int, str], *, target=None, folder=None,
                 roles: dict | None = None, encoding: str = "", sheet: str = "") -> Version:
    """Write `source` with `edits` (row -> "exclude" | "keep" | new label) applied, to `target`
    or to a new file in `folder` named for the edits, plus its `.edits.json` record."""
    from ..data import inspect_file
    insp = inspect_file(source, roles=roles or None, encoding=encoding, sheet=sheet)
    frame = insp.frame.copy()
    column = insp.roles.get("label")
    labels_now = frame[column].astype(str) if column in frame else None
    excluded = sorted(int(r) for r, a in edits.items() if a == EXCLUDE)
    relabelled = [{"row": int(r), "from": str(labels_now.iloc[int(r) - 1]), "to": str(a)}
                  for r, a in sorted(edits.items(), key=lambda kv: int(kv[0]))
                  if a not in (EXCLUDE, KEEP, "", None) and labels_now is not None
                  and 1 <= int(r) <= len(frame) and str(labels_now.iloc[int(r) - 1]) != str(a)]
    for change in relabelled:
        frame.iloc[change["row"] - 1, frame.columns.get_loc(column)] = change["to"]
    keep = [i for i in range(len(frame)) if i + 1 not in set(excluded)]
    frame = frame.iloc[keep]
    source_fp = fingerprint.of_files(str(source))
    if target is None:
        tag = hashlib.sha256(json.dumps([source_fp, excluded, relabelled]).encode())
        target = Path(folder) / f"{Path(str(source)).stem}-cleaned-{tag.hexdigest()[:8]}.csv"
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, encoding="utf-8")
    record = {"source": Path(str(source)).name, "source_fingerprint": source_fp,
              "fingerprint": fingerprint.of_files(str(target)), "label_column": column or "",
              "rows_before": int(len(insp.frame)), "rows_after": int(len(frame)),
              "excluded": excluded, "relabelled": relabelled}
    edits_file(target).write_text(json.dumps(record, indent=2, ensure_ascii=False),
                                  encoding="utf-8")
    log.info("saved %s: %d rows excluded, %d relabelled", target, len(excluded), len(relabelled))
    return Version(str(target), record["fingerprint"], record)


def edits_file(path) -> Path:
    p = Path(str(path))
    return p.with_name(p.name + EDITS_SUFFIX)


def edits_for(path) -> dict:
    """The edits record of a saved version, {} for any other file (or a version changed since:
    its record no longer describes it)."""
    if not path:
        return {}
    try:
        record = json.loads(edits_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or record.get("fingerprint") != fingerprint.of_files(
            str(path)):
        return {}
    return record
