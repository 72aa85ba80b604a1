"""studio.data.layouts: which layout a frame has, found once and handed on as a Layout."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from studio.data import layouts
from studio.data.layouts import Layout, detect_layout, find_messages_column, parse_turns, \
    turn_style

CHAT = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
SHARE = [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]


@pytest.mark.parametrize("frame,expected", [
    (pd.DataFrame({"messages": [CHAT]}), Layout("messages", "messages")),
    (pd.DataFrame({"conversations": [SHARE], "system": ["s"]}),
     Layout("sharegpt", "conversations")),
    (pd.DataFrame({"dialog_x": [json.dumps(CHAT)], "id": [1]}), Layout("messages", "dialog_x")),
    (pd.DataFrame({"Instruction": ["a"], "Output": ["b"], "input": [""]}), Layout("alpaca")),
    (pd.DataFrame({"text": ["a"], "label": ["b"]}), Layout("table")),
    (pd.DataFrame({"prompt": ["a"], "response": ["b"]}), Layout("table")),   # pairs: by roles
])
def test_detect_layout(frame, expected):
    found = detect_layout(frame)
    assert found == expected
    assert found.is_chat == (expected.kind != "table")


def test_typed_parts_with_value_are_openai_messages():
    parts = [{"role": "user", "content": [{"type": "text", "value": "hi"}]},
             {"role": "assistant", "content": [{"type": "text", "value": "yo"}],
              "loss_weight": 0}]
    assert detect_layout(pd.DataFrame({"messages": [parts]})) == Layout("messages", "messages")


def test_turn_style():
    assert turn_style(pd.Series([SHARE]), "chat") == "sharegpt"
    assert turn_style(pd.Series([CHAT]), "chat") == "messages"
    assert turn_style(pd.Series([None, None]), "messages") == "messages"      # by its name
    assert turn_style(pd.Series(["plain text"]), "notes") == ""


def test_parse_turns_accepts_lists_arrays_and_json():
    assert parse_turns(CHAT) == CHAT
    assert parse_turns(np.array(CHAT, dtype=object)) == CHAT
    assert parse_turns(json.dumps(CHAT)) == CHAT
    assert parse_turns("[not json") is None and parse_turns([1, 2]) is None


def test_find_messages_column_by_name_then_by_content():
    assert find_messages_column(pd.DataFrame({"Chat": [1], "x": [CHAT]})) == "Chat"
    assert find_messages_column(pd.DataFrame({"a": ["x"], "b": [None]})) is None
    frame = pd.DataFrame({"a": [None, "x"], "turns_of_talk": [None, SHARE]})
    assert find_messages_column(frame) == "turns_of_talk"


def test_first_value_skips_missing_cells():
    assert layouts.first_value(pd.Series([None, float("nan"), "x"])) == "x"
    assert layouts.first_value(pd.Series([None])) is None
