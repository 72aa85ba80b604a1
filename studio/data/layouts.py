"""Layouts: is a file a plain table, alpaca records, OpenAI-style messages or ShareGPT turns?

`detect_layout` looks once per file and returns a `Layout`; the roles stage and normalisation
take that result instead of looking again (a conversation column is found by parsing cells,
which is the expensive part on a big file).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

CHAT_LAYOUTS = ("alpaca", "messages", "sharegpt")
TURN_LAYOUTS = ("messages", "sharegpt")          # a column holding a list of turns
MESSAGE_COLUMNS = ("messages", "conversations", "conversation", "dialog", "chat", "turns")
SAMPLE_CELLS = 50            # non-empty cells looked at to tell what a column holds


@dataclass(frozen=True)
class Layout:
    """What detection found: `kind` is alpaca | messages | sharegpt | table, and for the turn
    layouts the column holding the conversations."""
    kind: str
    messages_column: str | None = None

    @property
    def is_chat(self) -> bool:
        return self.kind in CHAT_LAYOUTS


def norm_name(name) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def parse_turns(value):
    """A cell holding a conversation: a list, a numpy array (Parquet) or a JSON string."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, list) and all(isinstance(t, dict) for t in value):
        return value
    return None


def first_value(series: pd.Series):
    for v in series.head(SAMPLE_CELLS):
        if v is not None and not (isinstance(v, float) and v != v):
            return v
    return None


def find_messages_column(frame: pd.DataFrame):
    """The column holding conversations: a well-known name, else the first column whose cells
    parse as a list of turns with a role (`role` or ShareGPT's `from`)."""
    names = {norm_name(c): c for c in frame.columns}
    for n in MESSAGE_COLUMNS:
        if n in names:
            return names[n]
    for c in frame.columns:
        turns = parse_turns(first_value(frame[c]))
        if turns and any(("role" in t or "from" in t) for t in turns):
            return c
    return None


def turn_style(series: pd.Series, name) -> str:
    """'sharegpt' ({"from", "value"} turns) or 'messages' ({"role", "content"}) for a column of
    conversations, judged on its first conversation; '' when it holds none."""
    turns = parse_turns(first_value(series)) or []
    keys = {k for t in turns for k in t}
    if "from" in keys or ("value" in keys and "content" not in keys):
        return "sharegpt"
    if "role" in keys or norm_name(name) == "messages":
        return "messages"
    if norm_name(name) == "conversations":
        return "sharegpt"
    return ""


def detect_chat_layout(frame: pd.DataFrame) -> Layout | None:
    col = find_messages_column(frame)
    if col is not None:
        style = turn_style(frame[col], col)
        if style:
            return Layout(style, col)
    names = {norm_name(c) for c in frame.columns}
    if "instruction" in names and ({"output", "response"} & names):
        return Layout("alpaca")
    return None


def detect_layout(frame: pd.DataFrame) -> Layout:
    """The file's layout, looked at once; a table's roles decide later whether it is `pairs`."""
    return detect_chat_layout(frame) or Layout("table")
