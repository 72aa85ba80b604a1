"""Training against validation: the same input on both sides inflates scores, and a validation
label training never saw cannot be predicted. Each check reports a Problem and moves or leaves
out the rows it concerns."""
from __future__ import annotations

import pandas as pd

from studio.data import checks
from studio.data.normalise import excluded_rows, label_counts
from studio.data.problems import ACTION_OF, choice, problem


def check_overlap(train, val, fixes) -> None:
    """Flag (and by default leave out) validation rows whose input also appears in training.
    `train` and `val` are Inspections; both get the Problem."""
    if train.task != val.task or not len(val.examples) or not len(train.examples):
        return
    hit = checks.keys_in(checks.example_keys(val.examples, val.task),
                         checks.example_keys(train.examples, train.task))
    if not hit.any():
        return
    rows = val.examples["_row"].to_numpy()
    action = ACTION_OF[choice(fixes, "train_val_overlap")]
    prob = problem("train_val_overlap", action, rows[hit], int(hit.sum()))
    train.problems.append(prob)
    val.problems.append(prob)
    if action == "excluded":
        _leave_out(val, hit, "train_val_overlap")


def align_labels(train, val) -> None:
    """Spell validation labels as training does; leave out labels training never saw."""
    known = set(train.examples["label"])
    folded = {}
    for lab in known:
        folded.setdefault(lab.strip().casefold(), lab)
    ex = val.examples
    ex["label"] = ex["label"].map(
        lambda lab: lab if lab in known else folded.get(lab.strip().casefold(), lab))
    unseen = ~ex["label"].isin(known).to_numpy()
    if not unseen.any():
        return
    names = ", ".join(sorted(set(ex.loc[unseen, "label"]))[:5])
    rows = ex["_row"].to_numpy()
    val.problems.append(problem("unseen_label", "excluded", rows[unseen], int(unseen.sum()),
                                names=names))
    _leave_out(val, unseen, "unseen_label")


def _leave_out(insp, mask, reason: str) -> None:
    """Move the `mask` examples of an Inspection to its excluded rows, with `reason`."""
    rows = insp.examples["_row"].to_numpy()
    reasons = pd.Series([None] * len(insp.frame), dtype=object)
    reasons.iloc[rows[mask] - 1] = reason
    insp.excluded = sorted(insp.excluded + excluded_rows(insp.frame, reasons),
                           key=lambda e: e["row"])
    insp.examples = insp.examples[~mask].reset_index(drop=True)
    insp.rows = len(insp.examples)
    insp.labels = label_counts(insp.examples, insp.task)


def move_overlap_back(insp, train, validation, task):
    """A held-out row whose input is also in training goes back to training (same text,
    different label, or duplicates the user chose to keep)."""
    if not len(validation):
        return train, validation
    hit = checks.keys_in(checks.example_keys(validation, task), checks.example_keys(train, task))
    if not hit.any():
        return train, validation
    insp.problems.append(problem("train_val_overlap", "fixed",
                                 validation["_row"].to_numpy()[hit], int(hit.sum())))
    train = pd.concat([train, validation[hit]]).sort_values("_row").reset_index(drop=True)
    return train, validation[~hit].reset_index(drop=True)
