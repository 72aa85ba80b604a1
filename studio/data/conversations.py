"""Conversations: alpaca rows, OpenAI messages and ShareGPT turns -> one list of
{"role", "content"} messages per row, plus what was found on the way.

Files written by other tools vary in the details, and none of those variants may cost a row:
a message's text may be a string or a list of typed parts whose text sits under `text`, `value`
or `content`; a message's role under `role` or ShareGPT's `from`. A reply the file marks with
`loss_weight` (or OpenAI's `weight`) 0 keeps `"loss_weight": 0` in its normalised message, so
training can leave it out of the loss while keeping it as context.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from studio.data.layouts import parse_turns
from studio.data.problems import ACTION_OF, choice

ROLE_MAP = {"user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant",
            "model": "assistant", "chatgpt": "assistant", "bot": "assistant",
            "system": "system"}
TEXT_KEYS = ("text", "value", "content")                  # where a part or message keeps text
TEXT_PARTS = {"text", "input_text", "output_text"}        # typed parts that are text
WEIGHT_KEYS = ("loss_weight", "weight")


def content_text(content) -> tuple[str, int]:
    """A message content as text, and how many non-text parts (images, audio) were left out.
    Text parts are joined as they are, as chat templates render a list of parts: the model
    sees the same text in training as when it is later sent those parts."""
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
            text = part_text(part)
            if text is None:
                other += 1
            else:
                texts.append(text)
        return "".join(texts), other
    return str(content), 0


def part_text(part) -> str | None:
    """The text of one content part, or None when it is not text (an image, audio, a tool)."""
    if isinstance(part, str):
        return part
    if not isinstance(part, dict) or part.get("type", "text") not in TEXT_PARTS:
        return None
    value = next((part[k] for k in TEXT_KEYS if isinstance(part.get(k), str)), None)
    if value is None and isinstance(part.get("content"), list):     # a part nesting parts
        return content_text(part["content"])[0]
    return value


def loss_weight(turn: dict):
    """The weight a file gives a turn's loss (None when it gives none); unreadable -> 1.0."""
    for key in WEIGHT_KEYS:
        if key in turn and turn[key] is not None:
            value = turn[key]
            try:
                return float(value)
            except (TypeError, ValueError):
                return 1.0 if str(value).strip().lower() not in ("false", "no") else 0.0
    return None


def learned(message: dict) -> bool:
    """Whether training learns this message: assistant replies not weighted 0."""
    return message["role"] == "assistant" and message.get("loss_weight", 1) != 0


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


class Findings:
    """Per-row masks of what the conversion found, as (mask, action, params) per kind."""

    def __init__(self, n: int):
        self.n, self.masks, self.params, self.actions = n, {}, {}, {}

    def add(self, kind: str, i: int, action: str, **params) -> None:
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
    unknown_choice = choice(fixes, "unknown_role")
    trailing_choice = choice(fixes, "not_ending_with_assistant")
    found = Findings(len(frame))
    out = []
    for i, row in enumerate(frame.to_dict("records")):
        if layout in ("messages", "sharegpt"):
            msgs = _conversation(row, roles, i, found, unknown_choice)
        else:
            msgs = _pair_turns(row, roles)
        if msgs is None:
            out.append(None)
            continue
        system = _cell(row, roles.get("system")) or system_prompt
        if system and not any(m["role"] == "system" for m in msgs):
            msgs.insert(0, {"role": "system", "content": system})
        out.append(_finish(msgs, i, found, trailing_choice))
    return out, found.result()


def _pair_turns(row, roles) -> list[dict]:
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
        content = next((t[k] for k in ("content", "value", "text") if t.get(k) is not None), None)
        text, other = content_text(content)
        if other:
            found.add("non_text_content", i, "warning")
        if role is None:
            action = "excluded" if unknown_choice == "exclude" else "fixed"
            found.add("unknown_role", i, action, role=str(raw_role))
            if action == "excluded":
                return None
            continue
        msg = {"role": role, "content": text}
        weight = loss_weight(t) if role == "assistant" else None
        if weight is not None:
            if weight not in (0.0, 1.0):
                found.add("partial_loss_weight", i, "warning", weight=f"{weight:g}")
            msg["loss_weight"] = 0 if weight == 0 else 1
        msgs.append(msg)
    return msgs


def _finish(msgs, i, found, trailing_choice):
    """Conversations must end with a non-empty assistant reply after a non-empty user turn,
    and have at least one reply to learn from."""
    last = max((k for k, m in enumerate(msgs) if m["role"] == "assistant"), default=None)
    if last is None:
        found.add("no_assistant", i, "excluded")
        return None
    if last < len(msgs) - 1:
        found.add("not_ending_with_assistant", i, ACTION_OF[trailing_choice])
        if trailing_choice == "exclude":
            return None
        msgs = msgs[:last + 1]
    if not msgs[last]["content"].strip() or not any(
            m["role"] == "user" and m["content"].strip() for m in msgs):
        found.add("empty_text", i, "excluded")
        return None
    if not any(learned(m) for m in msgs):
        found.add("no_trained_reply", i, "excluded")
        return None
    return msgs


def messages_to_pair(messages: list[dict]) -> tuple[str, str]:
    """text2text view of a conversation: everything before the last learned reply -> that reply.

    A single user turn becomes the prompt as is; longer histories are rendered as
    "User: ... / Assistant: ..." lines so no turn is lost. Replies after the last learned one
    (weight 0) are dropped: they come after the target, so they cannot be its context.
    """
    last = max(k for k, m in enumerate(messages) if learned(m))
    before = [m for m in messages[:last] if m["role"] != "system"]
    if len(before) == 1:
        return before[0]["content"], messages[last]["content"]
    return render_messages(before), messages[last]["content"]


def render_messages(messages: list[dict] | None) -> str:
    if not messages:
        return ""
    return "\n\n".join(f"{m['role'].capitalize()}: {m['content']}" for m in messages)
