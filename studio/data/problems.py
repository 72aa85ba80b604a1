"""Problems: what a data check reports, in words, and which action the user chose for it.

Actions: "fixed" (changed in place, with a note), "excluded" (row left out, listed with its
reason), "blocking" (nothing can train until the user acts) and "warning" (kept, but worth a look).
The user can override the default per kind with `fixes = {kind: "fix" | "exclude" | "keep"}`.
Messages are English sentences; every number in them is also in the Problem's fields or params
(the page translates from the kind, action and params, see components/strings_zh.py).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MAX_EXAMPLE_ROWS = 5

# kind -> (default choice, allowed choices); "fix" merges/strips, "exclude" drops, "keep" warns.
CHOICES = {
    "empty_text": ("exclude", {"exclude", "keep"}),
    "missing_label": ("exclude", {"exclude"}),
    "label_whitespace": ("fix", {"fix", "keep"}),
    "label_case": ("fix", {"fix", "keep"}),
    "numeric_label_text": ("fix", {"fix", "keep"}),
    "duplicate": ("exclude", {"exclude", "keep"}),
    "conflicting_label": ("keep", {"keep", "exclude"}),
    "rare_class": ("keep", {"keep", "exclude"}),
    "train_val_overlap": ("exclude", {"exclude", "keep"}),
    "placeholder": ("keep", {"keep", "exclude"}),
    "too_long": ("keep", {"keep", "exclude"}),
    "unknown_role": ("exclude", {"exclude", "fix"}),
    "not_ending_with_assistant": ("fix", {"fix", "exclude"}),
    "unseen_label": ("exclude", {"exclude", "keep"}),
    # data.unnamed_columns in the job: "join" (= fix) or "exclude"
    "unnamed_columns": ("fix", {"fix", "exclude"}),
}
ALIASES = {"merge": "fix", "drop": "exclude", "remove": "exclude", "ignore": "keep",
           "warn": "keep", "strip": "fix", "join": "fix"}
ACTION_OF = {"fix": "fixed", "exclude": "excluded", "keep": "warning"}

# "[a|b]" picks the singular or plural wording for the count.
MESSAGES = {
    ("empty_text", "excluded"):
        "{count} [row has|rows have] an empty or whitespace-only text and [was|were] excluded.",
    ("empty_text", "warning"):
        "{count} [row has|rows have] an empty or whitespace-only text and [is|are] kept as you "
        "chose.",
    ("missing_label", "excluded"):
        "{count} [row has|rows have] no label and [was|were] excluded; fill in the labels to use "
        "them.",
    ("label_whitespace", "fixed"):
        "{count} [label had|labels had] stray spaces around [it|them], which were removed.",
    ("label_whitespace", "warning"):
        "{count} [label has|labels have] stray spaces and count as separate classes; remove the "
        "spaces in the file to merge them.",
    ("label_case", "fixed"):
        "{count} [label differed|labels differed] from another label only in upper/lower case "
        "(e.g. {example}) and [was|were] merged into the more frequent spelling.",
    ("label_case", "warning"):
        "{count} [label differs|labels differ] from another label only in upper/lower case (e.g. "
        "{example}) and [is|are] kept as separate classes.",
    ("numeric_label_text", "fixed"):
        "{count} numeric [label was|labels were] written as text or in another form (e.g. "
        "{example}) and [was|were] made consistent.",
    ("numeric_label_text", "warning"):
        "{count} numeric [label is|labels are] written as text or in another form (e.g. "
        "{example}) and count as separate classes.",
    ("single_class", "blocking"):
        "All {count} usable [row has|rows have] the same label '{label}'; add examples of at "
        "least one other class.",
    ("rare_class", "warning"):
        "{count} [row belongs|rows belong] to classes with fewer than 2 examples ({names}), so "
        "[it stays|they stay] in training and none go to validation; add examples or exclude "
        "them.",
    ("rare_class", "excluded"):
        "{count} [row|rows] of classes with fewer than 2 examples ({names}) [was|were] excluded.",
    ("duplicate", "excluded"):
        "{count} [row repeats|rows repeat] an earlier row exactly and [was|were] excluded.",
    ("duplicate", "warning"):
        "{count} [row repeats|rows repeat] an earlier row exactly and [is|are] kept as you chose.",
    ("conflicting_label", "warning"):
        # Name only what every front end offers: the file itself, and Check labels (the Data
        # step's panel, `python -m studio labels`), which relabels or excludes rows.
        "{count} [row shares its|rows share their] text with a row of a different label; "
        "correct or remove [it|them] in the file, or relabel or exclude [it|them] with Check "
        "labels.",
    ("conflicting_label", "excluded"):
        "{count} [row shares its|rows share their] text with a row of a different label and "
        "[was|were] excluded.",
    ("train_val_overlap", "excluded"):
        "{count} validation [row also appears|rows also appear] in the training data and "
        "[was|were] left out of validation so scores are not inflated.",
    ("train_val_overlap", "fixed"):
        "{count} held-out [row also appears|rows also appear] in the training data and [was|were]"
        " moved back to training so scores are not inflated.",
    ("train_val_overlap", "warning"):
        "{count} validation [row also appears|rows also appear] in the training data, which "
        "inflates validation scores.",
    ("placeholder", "warning"):
        "{count} [row still contains|rows still contain] template placeholders such as {example};"
        " replace or remove them in the file before training.",
    ("placeholder", "excluded"):
        "{count} [row contains|rows contain] template placeholders such as {example} and "
        "[was|were] excluded.",
    ("too_long", "warning"):
        "{count} [example|examples] ({share}%) [is|are] longer than {max_length} tokens and will "
        "be truncated.",
    ("too_long", "estimated"):
        "About {count} [example|examples] ({share}%, measured on a sample of {sample}) [is|are] "
        "longer than {max_length} tokens and will be truncated.",
    ("too_long", "excluded"):
        "{count} [example|examples] ({share}%) longer than {max_length} tokens [was|were] "
        "excluded.",
    ("unknown_role", "excluded"):
        "{count} [conversation contains|conversations contain] a message role other than system, "
        "user or assistant (e.g. '{role}') and [was|were] excluded.",
    ("unknown_role", "fixed"):
        "{count} [conversation contains|conversations contain] messages with a role other than "
        "system, user or assistant (e.g. '{role}'); those messages were dropped.",
    ("not_ending_with_assistant", "fixed"):
        "{count} [conversation does|conversations do] not end with an assistant reply; the "
        "messages after the last reply were dropped.",
    ("not_ending_with_assistant", "excluded"):
        "{count} [conversation does|conversations do] not end with an assistant reply and "
        "[was|were] excluded.",
    ("no_assistant", "excluded"):
        "{count} [conversation has|conversations have] no assistant reply to learn from and "
        "[was|were] excluded.",
    ("bad_messages", "excluded"):
        "{count} [row does|rows do] not hold a list of messages and [was|were] excluded.",
    ("non_text_content", "warning"):
        "{count} [conversation holds|conversations hold] non-text parts (e.g. images), which are "
        "left out; only text is trained on.",
    ("unseen_label", "excluded"):
        "{count} validation [row has a label|rows have labels] that never [occurs|occur] in "
        "training ({names}) and [was|were] left out.",
    ("unseen_label", "warning"):
        "{count} validation [row has a label|rows have labels] that never [occurs|occur] in "
        "training ({names}).",
    ("no_trained_reply", "excluded"):
        "{count} [conversation has|conversations have] loss_weight 0 on every assistant reply, "
        "leaving nothing to learn, and [was|were] excluded.",
    ("partial_loss_weight", "warning"):
        "{count} [conversation has|conversations have] a loss_weight other than 0 or 1 (e.g. "
        "{weight}); such replies are trained with full weight.",
    ("unnamed_columns", "fixed"):
        "{count} [row has|rows have] text in unnamed columns {columns}; joined back into column "
        "{column} (the text held an unquoted {delimiter}).",
    ("unnamed_columns", "excluded"):
        "{count} [row has|rows have] text in unnamed columns {columns} (an unquoted {delimiter} "
        "split the text of column {column}) and [was|were] excluded; quote that text, or choose "
        "join.",
    ("missing_column", "blocking"):
        "No {role} column was found (columns: {columns}); add a {role} column to the file, or "
        "choose the column that holds the {role}.",
    ("no_rows", "blocking"):
        "No usable rows are left out of {total}; see the excluded rows for the reasons.",
}
PLURAL = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")


@dataclass
class Problem:
    kind: str
    count: int
    rows: list[int]
    action: str
    message: str
    params: dict = field(default_factory=dict)


def problem(kind: str, action: str, rows, count: int | None = None, *, template: str = "",
            **params) -> Problem:
    """Build a Problem; `rows` are 1-based row numbers (any iterable), the first few are kept.
    `template` picks another wording of the same kind and action (e.g. "estimated")."""
    rows = [int(r) for r in (rows[:MAX_EXAMPLE_ROWS] if isinstance(rows, list) else
                             list(_first(rows, MAX_EXAMPLE_ROWS)))]
    count = len(rows) if count is None else int(count)
    template = MESSAGES.get((kind, template or action),
                            "{count} [row|rows]: " + kind.replace("_", " ") + ".")
    template = PLURAL.sub(lambda m: m.group(1) if count == 1 else m.group(2), template)
    message = template.format(count=count, **params)
    return Problem(kind, count, rows, action, message, params)


def _first(values, n):
    for i, v in enumerate(values):
        if i >= n:
            return
        yield v


def choice(fixes: dict | None, kind: str) -> str:
    """The user's choice for a kind ("fix" | "exclude" | "keep"), or the default."""
    default, allowed = CHOICES.get(kind, ("keep", {"keep"}))
    wanted = (fixes or {}).get(kind, default)
    wanted = ALIASES.get(str(wanted).lower(), str(wanted).lower())
    if wanted not in allowed:
        log.warning("fix %r is not available for %s; using %r", wanted, kind, default)
        return default
    return wanted


def rows_of(mask: pd.Series | np.ndarray, row_numbers: np.ndarray) -> np.ndarray:
    return row_numbers[np.asarray(mask, dtype=bool)]
