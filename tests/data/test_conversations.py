"""studio.data.conversations: alpaca rows, OpenAI messages and ShareGPT turns as one list of
messages per row, whatever shape of content and whatever per-message extras the file uses."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from data_helpers import excluded, fx, kinds
from studio.data.conversations import (content_text, learned, loss_weight, messages_to_pair,
                                       part_text, render_messages, rows_to_messages)
from studio.data.pipeline import inspect_file


# ---- message content ------------------------------------------------------------------------

@pytest.mark.parametrize("content,expected", [
    ("plain", ("plain", 0)),
    (None, ("", 0)),
    ([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], ("ab", 0)),
    ([{"type": "text", "value": "Say it "}, {"type": "text", "text": "properly."}],
     ("Say it properly.", 0)),
    ([{"type": "text", "content": "c"}, {"type": "image_url", "image_url": {"url": "x"}}],
     ("c", 1)),
    ([{"type": "input_text", "text": "in"}, {"type": "audio", "value": "ignored"}], ("in", 1)),
    ({"type": "text", "text": "one part"}, ("one part", 0)),
    (["raw", "strings"], ("rawstrings", 0)),
    (3, ("3", 0)),
])
def test_content_text(content, expected):
    assert content_text(content) == expected


def test_part_text_nested_and_non_text():
    assert part_text({"type": "text", "content": [{"type": "text", "text": "deep"}]}) == "deep"
    assert part_text({"type": "image", "text": "caption"}) is None
    assert part_text(7) is None


@pytest.mark.parametrize("turn,weight", [({"loss_weight": 0}, 0.0), ({"weight": 1}, 1.0),
                                         ({"loss_weight": "0.5"}, 0.5), ({}, None),
                                         ({"weight": None}, None), ({"weight": False}, 0.0),
                                         ({"weight": "no"}, 0.0), ({"weight": "lots"}, 1.0)])
def test_loss_weight(turn, weight):
    assert loss_weight(turn) == weight


def test_learned_only_assistant_turns_not_weighted_zero():
    assert learned({"role": "assistant", "content": "x"})
    assert learned({"role": "assistant", "content": "x", "loss_weight": 1})
    assert not learned({"role": "assistant", "content": "x", "loss_weight": 0})
    assert not learned({"role": "user", "content": "x"})


# ---- rows to messages -----------------------------------------------------------------------

def convert(conversations, fixes=None):
    frame = pd.DataFrame({"messages": conversations})
    return rows_to_messages(frame, "messages", {"messages": "messages"}, "", fixes)


def test_weights_kept_on_replies_and_reported_when_odd():
    out, found = convert([
        [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0},
         {"role": "user", "content": "c", "loss_weight": 0},
         {"role": "assistant", "content": "d", "loss_weight": 0.3}],
        [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b",
                                            "loss_weight": 0}],
    ])
    assert out[0] == [{"role": "user", "content": "a"},
                      {"role": "assistant", "content": "b", "loss_weight": 0},
                      {"role": "user", "content": "c"},              # weights on users: no loss
                      {"role": "assistant", "content": "d", "loss_weight": 1}]
    assert out[1] is None
    mask, action, params = found["partial_loss_weight"]
    assert mask.tolist() == [True, False] and action == "warning" and params == {"weight": "0.3"}
    assert found["no_trained_reply"][0].tolist() == [False, True]


def test_sharegpt_turns_with_typed_parts_and_role_aliases():
    frame = pd.DataFrame({"conversations": [[
        {"from": "human", "value": [{"type": "text", "text": "Hi"}]},
        {"from": "gpt", "value": [{"type": "text", "value": "Hello"}]}]]})
    out, found = rows_to_messages(frame, "sharegpt", {"messages": "conversations"}, "sys", None)
    assert out == [[{"role": "system", "content": "sys"}, {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello"}]]
    assert found == {}


def test_messages_to_pair_targets_the_last_learned_reply():
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": "q1"},
            {"role": "assistant", "content": "a1"}, {"role": "user", "content": "q2"},
            {"role": "assistant", "content": "a2", "loss_weight": 0}]
    assert messages_to_pair(msgs) == ("q1", "a1")
    msgs[-1]["loss_weight"] = 1
    assert messages_to_pair(msgs) == ("User: q1\n\nAssistant: a1\n\nUser: q2", "a2")


def test_render_messages():
    assert render_messages(None) == ""
    assert render_messages([{"role": "user", "content": "x"}]) == "User: x"


# ---- through the pipeline -------------------------------------------------------------------

def test_alpaca_to_messages():
    insp = inspect_file(fx("alpaca.json"))
    assert (insp.layout, insp.task) == ("alpaca", "chat")
    assert insp.roles == {"prompt": "instruction", "response": "output", "input": "input",
                          "system": "system", "history": "history"}
    msgs = insp.examples["messages"].tolist()
    assert msgs[0] == [{"role": "user", "content": "Translate to French\n\ncat"},
                       {"role": "assistant", "content": "chat"}]
    assert msgs[1][0] == {"role": "system", "content": "Be brief."}
    assert msgs[2] == [{"role": "user", "content": "Are you there?"},
                       {"role": "assistant", "content": "Yes."},
                       {"role": "user", "content": "And now?"},
                       {"role": "assistant", "content": "Still here."}]
    assert excluded(insp) == [(4, "empty_text")]
    assert kinds(insp)["placeholder"] == ("warning", 1, [5])


def test_alpaca_as_text2text():
    insp = inspect_file(fx("alpaca.json"), task="text2text")
    assert insp.examples[["prompt", "response"]].values.tolist()[:2] == [
        ["Translate to French\n\ncat", "chat"], ["Say hi", "Hi!"]]
    assert insp.examples["prompt"][2] == "User: Are you there?\n\nAssistant: Yes.\n\nUser: And now?"
    assert inspect_file(fx("alpaca.json"), family="t5").task == "text2text"


def test_openai_messages_with_parts_and_problems():
    insp = inspect_file(fx("messages.jsonl"))
    assert (insp.layout, insp.task, insp.rows) == ("messages", "chat", 3)
    msgs = insp.examples["messages"].tolist()
    assert msgs[1] == [{"role": "user", "content": "Describe"},
                       {"role": "assistant", "content": "A cat."}]
    assert msgs[2] == [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    assert excluded(insp) == [(3, "unknown_role"), (5, "no_assistant"), (6, "bad_messages")]
    k = kinds(insp)
    assert k["not_ending_with_assistant"] == ("fixed", 1, [4])
    assert k["non_text_content"] == ("warning", 1, [2])
    assert k["unknown_role"] == ("excluded", 1, [3])


def test_fixes_change_chat_actions():
    insp = inspect_file(fx("messages.jsonl"),
                        fixes={"unknown_role": "fix", "not_ending_with_assistant": "exclude"})
    assert excluded(insp) == [(4, "not_ending_with_assistant"), (5, "no_assistant"),
                              (6, "bad_messages")]
    assert insp.examples["messages"][2] == [{"role": "user", "content": "Use the tool"},
                                            {"role": "assistant", "content": "It says 42."}]


def test_sharegpt_roles_mapped_and_system_column():
    insp = inspect_file(fx("sharegpt.json"))
    assert (insp.layout, insp.task, insp.rows) == ("sharegpt", "chat", 2)
    first, second = insp.examples["messages"].tolist()
    assert first == [{"role": "system", "content": "Be kind."},
                     {"role": "user", "content": "Hello"},
                     {"role": "assistant", "content": "Hi there"}]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user", "assistant"]


def test_system_prompt_added_where_missing():
    insp = inspect_file(fx("sharegpt.json"), system_prompt="Default.")
    first, second = insp.examples["messages"].tolist()
    assert first[0]["content"] == "Be kind." and second[0]["content"] == "Pirate mode"
    pairs = inspect_file(fx("pairs.txt"), task="chat", system_prompt="Translate.")
    assert pairs.examples["messages"][0] == [{"role": "system", "content": "Translate."},
                                             {"role": "user", "content": "Go."},
                                             {"role": "assistant", "content": "Va !"}]


def test_messages_in_parquet():
    insp = inspect_file(fx("messages.parquet"))
    assert (insp.layout, insp.rows) == ("messages", 2)
    assert insp.examples["messages"][1] == [{"role": "user", "content": "Ping"},
                                            {"role": "assistant", "content": "Pong"}]


def test_messages_column_holding_json_strings(tmp_path):
    path = tmp_path / "chat.csv"
    pd.DataFrame({"messages": [json.dumps([{"role": "user", "content": "a, b"},
                                           {"role": "assistant", "content": "c"}])] * 2,
                  "id": [1, 2]}).to_csv(path, index=False)
    insp = inspect_file(path)
    assert insp.layout == "messages" and insp.rows == 1 and excluded(insp) == [(2, "duplicate")]


def test_typed_parts_with_value_and_loss_weights_lose_no_row():
    insp = inspect_file(fx("parts_weighted.jsonl"))
    assert (insp.layout, insp.task, insp.rows, insp.excluded) == ("messages", "chat", 8, [])
    assert insp.examples["messages"][0] == [
        {"role": "system", "content": "Answer with one word."},
        {"role": "user", "content": "First word 0?"},
        {"role": "assistant", "content": "DRAFT beta", "loss_weight": 0},
        {"role": "user", "content": "Say it properly."},
        {"role": "assistant", "content": "alpha", "loss_weight": 1}]
    p = next(p for p in insp.problems if p.kind == "placeholder")   # still reported as before
    assert (p.action, p.rows) == ("warning", [8]) and "{{name}}" in p.message


def test_sharegpt_parts_and_weights():
    insp = inspect_file(fx("sharegpt_parts.json"))
    assert (insp.layout, insp.rows) == ("sharegpt", 2)
    assert insp.examples["messages"].tolist() == [
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
        [{"role": "user", "content": "Two"},
         {"role": "assistant", "content": "skip me", "loss_weight": 0},
         {"role": "user", "content": "Again"},
         {"role": "assistant", "content": "learn me", "loss_weight": 1}]]
    assert excluded(insp) == [(3, "no_trained_reply")]
    assert kinds(insp)["non_text_content"] == ("warning", 1, [1])
    t2t = inspect_file(fx("sharegpt_parts.json"), task="text2text")
    assert t2t.examples["response"].tolist() == ["Hello", "learn me"]
    assert t2t.examples["prompt"][1] == "User: Two\n\nAssistant: skip me\n\nUser: Again"
