"""studio.data.lengths: examples longer than max_length tokens, measured once a tokenizer is
known (exactly, or on a sample of a big file)."""
from __future__ import annotations

import pandas as pd

from data_helpers import WordTokenizer, excluded, fx, kinds
from studio.data import lengths
from studio.data.pipeline import inspect_file


def test_token_lengths_per_task():
    tok = WordTokenizer()
    cls = pd.DataFrame({"text": ["a b", "c"], "text_pair": ["d", ""]})
    assert lengths.token_lengths(cls, "classification", tok).tolist() == [5, 3]
    t2t = pd.DataFrame({"prompt": ["a b c"], "response": ["d"]})
    assert lengths.token_lengths(t2t, "text2text", tok).tolist() == [6]
    chat = pd.DataFrame({"messages": [[{"role": "user", "content": "hi there"},
                                       {"role": "assistant", "content": "yo",
                                        "loss_weight": 0}]]})
    # rendered as "User: hi there\n\nAssistant: yo": 5 words + 2
    assert lengths.token_lengths(chat, "chat", tok).tolist() == [7]


def test_too_long_only_with_tokenizer():
    assert "too_long" not in kinds(inspect_file(fx("checks.csv")))
    insp = inspect_file(fx("checks.csv"), tokenizer=WordTokenizer(), max_length=4)
    action, count, rows = kinds(insp)["too_long"]
    assert (action, count, rows) == ("warning", 1, [10])     # "only one of these": 4 words + 2
    p = next(p for p in insp.problems if p.kind == "too_long")
    assert p.params == {"share": round(100 / 9, 1), "max_length": 4}
    dropped = inspect_file(fx("checks.csv"), tokenizer=WordTokenizer(), max_length=4,
                           fixes={"too_long": "exclude"})
    assert (10, "too_long") in excluded(dropped) and dropped.rows == 8


def test_too_long_estimated_on_a_sample(monkeypatch):
    monkeypatch.setattr(lengths, "LENGTH_SAMPLE", 4)
    insp = inspect_file(fx("checks.csv"), tokenizer=WordTokenizer(), max_length=3)
    p = next(p for p in insp.problems if p.kind == "too_long")     # every text has 4+ tokens
    assert (p.count, p.params) == (9, {"sample": 4, "share": 100.0, "max_length": 3})
    assert len(p.rows) == 4 and p.message.startswith("About 9 examples (100.0%, measured on")


def test_no_limit_no_check():
    tok = WordTokenizer()
    tok.model_max_length = 10**30              # what tokenizers say when they have no limit
    insp = inspect_file(fx("checks.csv"), tokenizer=tok)
    assert "too_long" not in kinds(insp)
