"""studio.tasks.common: pad tokens, truncation notes, pad multiples."""
from types import SimpleNamespace

from studio.tasks import task_module
from studio.tasks.common import ensure_pad_token, pad_multiple, truncation_notes


def test_a_missing_pad_token_borrows_end_of_text_or_unknown():
    tok = SimpleNamespace(pad_token=None, eos_token="</s>", unk_token="<unk>")
    assert ensure_pad_token(tok).pad_token == "</s>"
    tok = SimpleNamespace(pad_token=None, eos_token=None, unk_token="<unk>")
    assert ensure_pad_token(tok).pad_token == "<unk>"
    tok = SimpleNamespace(pad_token="[PAD]", eos_token="</s>", unk_token=None)
    assert ensure_pad_token(tok).pad_token == "[PAD]"


def test_truncation_note_counts_examples_at_max_length():
    assert truncation_notes([3, 5, 7], 8) == []
    (note,) = truncation_notes([3, 8, 9], 8, "texts")
    assert note["code"] == "truncated" and note["count"] == 2 and note["max_length"] == 8
    assert note["text"].startswith("2 of 3 texts are longer than 8 tokens")
    assert "train.max_length" in note["text"]


def test_no_padding_multiple_on_a_cpu():
    import torch
    assert pad_multiple() == (8 if torch.cuda.is_available() else None)


def test_task_module_by_task_and_family():
    from studio.tasks import causal_lm, classification, seq2seq
    assert task_module("classification", "gpt") is classification
    assert task_module("chat", "gpt") is causal_lm and task_module("text2text", "gpt") is causal_lm
    assert task_module("chat", "t5") is seq2seq and task_module("text2text", "t5") is seq2seq
