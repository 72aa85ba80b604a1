"""Chat layouts: alpaca, OpenAI messages and ShareGPT rows -> [{"role", "content"}] lists."""
from __future__ import annotations

import json

import pandas as pd

CHAT_LAYOUTS = ("alpaca", "messages", "sharegpt")
MESSAGE_COLUMNS = ("messages", "conversations", "conversation", "dialog", "chat", "turns")
ROLE_MAP = {"user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant",
            "model": "assistant", "chatgpt": "assistant", "bot": "assistant",
            "system": "system"}


def _norm_name(name) -> str:
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


def find_messages_column(frame: pd.DataFrame):
    names = {_norm_name(c): c for c in frame.columns}
    for n in MESSAGE_COLUMNS:
        if n in names:
            return names[n]
    for c in frame.columns:
        turns = parse_turns(_first_value(frame[c]))
        if turns and any(("role" in t or "from" in t) for t in turns):
            return c
    return None


def _first_value(series: pd.Series):
    for v in series.head(50):
        if v is not None and not (isinstance(v, float) and v != v):
            return v
    return None


def detect_chat_layout(frame: pd.DataFrame) -> str:
    col = find_messages_column(frame)
    if col is not None:
        turns = parse_turns(_first_value(frame[col])) or []
        keys = {k for t in turns for k in t}
        if "from" in keys or "value" in keys:
            return "sharegpt"
        if "role" in keys or _norm_name(col) == "messages":
            return "messages"
        if _norm_name(col) == "conversations":
            return "sharegpt"
    names = {_norm_name(c) for c in frame.columns}
    if "instruction" in names and ({"output", "response"} & names):
        return "alpaca"
    return ""


def content_text(content) -> tuple[str, int]:
    """A message content as text, and how many non-text parts (images, audio) were left out."""
    if content is None or (isinstance(content, float) and content != content):
        return "", 0
    if isinstance(content, str):
        return content, 0
    if hasattr(content, "tolist"):
        content = content.tolist()
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        texts, other = [], 0
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and (part.get("type", "text") == "text" or "text" in part) \
                    and isinstance(part.get("text"), str):
                texts.append(part["text"])
            else:
                other += 1
        return "\n".join(texts), other
    return str(content), 0


def _cell(row, col) -> str:
    """A table cell as message text: numbers as written (3, not 3.0), missing as ''."""
    if not col:
        return ""
    value = row[col]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if value != value:
            return ""
        return str(int(value)) if float(value).is_integer() else str(value)
    return content_text(value)[0]


class _Findings:
    """Per-row masks of what the conversion found, as (mask, action, params) per kind."""

    def __init__(self, n: int):
        self.n, self.masks, self.params = n, {}, {}
        self.actions = {}

    def add(self, kind: str, i: int, action: str, **params) -> None:
        import numpy as np
        if kind not in self.masks:
            self.masks[kind] = np.zeros(self.n, dtype=bool)
            self.params[kind] = params
        self.masks[kind][i] = True
        self.actions[kind] = action

    def result(self) -> dict:
        return {k: (m, self.actions[k], self.params[k]) for k, m in self.masks.items()}


def rows_to_messages(frame: pd.DataFrame, layout: str, roles: dict, system_prompt: str,
                     fixes: dict | None):
    """Each row as a list of {"role", "content"} (None when unusable), plus what was found."""
    from studio.data.checks import ACTION_OF, choice

    unknown_choice = choice(fixes, "unknown_role")
    trailing_choice = choice(fixes, "not_ending_with_assistant")
    found = _Findings(len(frame))
    out = []
    for i, row in enumerate(frame.to_dict("records")):
        if layout in ("messages", "sharegpt"):
            msgs = _conversation(row, roles, i, found, unknown_choice)
        else:
            msgs = _pair_turns(row, roles, layout)
        if msgs is None:
            out.append(None)
            continue
        system = _cell(row, roles.get("system")) or system_prompt
        if system and not any(m["role"] == "system" for m in msgs):
            msgs.insert(0, {"role": "system", "content": system})
        out.append(_finish(msgs, i, found, trailing_choice, ACTION_OF))
    return out, found.result()


def _pair_turns(row, roles, layout) -> list[dict]:
    user = _cell(row, roles.get("prompt"))
    extra = _cell(row, roles.get("input"))
    if extra.strip():
        user = f"{user}\n\n{extra}" if user.strip() else extra
    msgs = []
    for pair in _history(row.get(roles["history"]) if roles.get("history") else None):
        msgs += [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]
    return msgs + [{"role": "user", "content": user},
                   {"role": "assistant", "content": _cell(row, roles.get("response"))}]


def _history(value) -> list:
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return []
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list):
        return []
    return [(content_text(p[0])[0], content_text(p[1])[0]) for p in value
            if isinstance(p, (list, tuple)) and len(p) == 2]


def _conversation(row, roles, i, found, unknown_choice):
    turns = parse_turns(row.get(roles["messages"]))
    if turns is None:
        found.add("bad_messages", i, "excluded")
        return None
    msgs = []
    for t in turns:
        raw_role = t.get("role", t.get("from", ""))
        role = ROLE_MAP.get(str(raw_role).strip().lower())
        text, other = content_text(t.get("content", t.get("value")))
        if other:
            found.add("non_text_content", i, "warning")
        if role is None:
            action = "excluded" if unknown_choice == "exclude" else "fixed"
            found.add("unknown_role", i, action, role=str(raw_role))
            if action == "excluded":
                return None
            continue
        msgs.append({"role": role, "content": text})
    return msgs


def _finish(msgs, i, found, trailing_choice, action_of):
    """Conversations must end with a non-empty assistant reply after a non-empty user turn."""
    last = max((k for k, m in enumerate(msgs) if m["role"] == "assistant"), default=None)
    if last is None:
        found.add("no_assistant", i, "excluded")
        return None
    if last < len(msgs) - 1:
        found.add("not_ending_with_assistant", i, action_of[trailing_choice])
        if trailing_choice == "exclude":
            return None
        msgs = msgs[:last + 1]
    if not msgs[last]["content"].strip() or not any(
            m["role"] == "user" and m["content"].strip() for m in msgs):
        found.add("empty_text", i, "excluded")
        return None
    return msgs


def messages_to_pair(messages: list[dict]) -> tuple[str, str]:
    """text2text view of a conversation: everything before the last reply -> that reply.

    A single user turn becomes the prompt as is; longer histories are rendered as
    "User: ... / Assistant: ..." lines so no turn is lost.
    """
    last = max(k for k, m in enumerate(messages) if m["role"] == "assistant")
    before = [m for m in messages[:last] if m["role"] != "system"]
    if len(before) == 1:
        return before[0]["content"], messages[last]["content"]
    return render_messages(before), messages[last]["content"]


def render_messages(messages: list[dict] | None) -> str:
    if not messages:
        return ""
    return "\n\n".join(f"{m['role'].capitalize()}: {m['content']}" for m in messages)
