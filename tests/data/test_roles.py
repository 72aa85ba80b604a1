"""studio.data.roles: which column holds what, and which task a file is for."""
from __future__ import annotations

import pandas as pd
import pytest

from data_helpers import fx
from studio.data.layouts import Layout
from studio.data.pipeline import inspect_file
from studio.data.roles import guess_roles, infer_task, present_roles, resolve_roles
from studio.errors import DataError


def table(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


@pytest.mark.parametrize("frame,expected", [
    (table(sentence1=["a", "b"], sentence2=["c", "d"], label=["x", "y"]),
     {"text": "sentence1", "text_pair": "sentence2", "label": "label"}),
    (table(id=["1", "2", "3", "4"], review=["long text one", "two", "three", "four"],
           stars=["5", "1", "5", "1"]), {"text": "review", "label": "stars"}),
    (table(instruction=["q"], output=["a"]), {"prompt": "instruction", "response": "output"}),
    (table(en=["hello", "bye"], zh=["你好", "再见"]), {"prompt": "en", "response": "zh"}),
    (table(frage=["wie alt?", "wo?"], antwort=["zwanzig jahre", "in berlin"]),
     {"prompt": "frage", "response": "antwort"}),
    # input/target where the target is a class: classification, not generation
    (table(input=[f"text {i}" for i in range(8)], target=["a", "b"] * 4),
     {"text": "input", "label": "target"}),
])
def test_guess_roles(frame, expected):
    assert guess_roles(frame, "table") == expected


def test_guess_roles_of_chat_layouts_use_the_found_column():
    frame = table(dialog=[[{"role": "user"}]], system=["s"])
    assert guess_roles(frame, Layout("messages", "dialog")) == {"messages": "dialog",
                                                                 "system": "system"}
    alpaca = table(instruction=["q"], input=[""], output=["a"], history=[[]])
    assert guess_roles(alpaca, Layout("alpaca")) == {"prompt": "instruction", "response": "output",
                                                     "input": "input", "history": "history"}


@pytest.mark.parametrize("layout,roles,family,task", [
    ("table", {"text": "t", "label": "l"}, "auto", "classification"),
    ("messages", {"messages": "m"}, "auto", "chat"),
    ("messages", {"messages": "m"}, "t5", "text2text"),
    ("pairs", {"prompt": "p", "response": "r"}, "auto", "text2text"),
    ("pairs", {"prompt": "p", "response": "r"}, "bert", "classification"),
    ("table", {"text": "t"}, "auto", "classification"),
])
def test_infer_task(layout, roles, family, task):
    assert infer_task(layout, roles, family) == task


def test_resolve_roles_table_becomes_pairs_or_stays_table():
    frame = table(source=["a"], target=["b"], note=["x"])
    assert resolve_roles(frame, Layout("table"), None, "f") == \
        ("pairs", {"prompt": "source", "response": "target"})
    kind, roles = resolve_roles(frame, Layout("table"), {"text": "note", "label": "target"}, "f")
    assert kind == "table" and roles == {"text": "note", "label": "target"}


def test_resolve_roles_messages_override_restyles_the_column():
    frame = table(a=[[{"role": "user", "content": "x"}]],
                  b=[[{"from": "human", "value": "x"}]])
    kind, roles = resolve_roles(frame, Layout("messages", "a"), {"messages": "b"}, "f")
    assert (kind, roles["messages"]) == ("sharegpt", "b")


def test_column_override_must_exist():
    with pytest.raises(DataError) as e:
        inspect_file(fx("basic.csv"), roles={"label": "sentiment"})
    assert e.value.code == "missing_column"
    assert e.value.params["columns"] == ["label", "text"] and "label, text" in str(e.value)


def test_mapping_alpaca_columns_keeps_input_and_history():
    insp = inspect_file(fx("alpaca.json"), roles={"prompt": "instruction", "response": "output"})
    assert insp.layout == "alpaca"
    assert insp.examples["messages"][0][0]["content"] == "Translate to French\n\ncat"
    as_table = inspect_file(fx("alpaca.json"), roles={"text": "instruction", "label": "output"})
    assert (as_table.layout, as_table.task) == ("table", "classification")


def test_present_roles_keeps_those_the_file_has():
    assert present_roles({"text": "sentence", "label": "label", "prompt": ""},
                         ["content", "label"]) == {"label": "label"}
    assert present_roles({"text": "sentence"}, ["content"]) is None
    assert present_roles(None, ["a"]) is None
