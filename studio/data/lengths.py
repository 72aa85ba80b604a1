"""Token lengths: the share of examples longer than max_length, once a tokenizer is known."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from studio.data import checks
from studio.data.conversations import render_messages
from studio.data.normalise import excluded_rows
from studio.data.problems import choice

log = logging.getLogger(__name__)

LENGTH_SAMPLE = 20_000


def length_check(examples, excluded, problems, frame, task, tokenizer, max_length, fixes):
    """Share of examples longer than max_length tokens. Big files are measured on a sample
    (the count is then an estimate) unless the user chose to exclude the long ones."""
    max_length = max_length or getattr(tokenizer, "model_max_length", None)
    if not max_length or max_length > 1_000_000:
        return examples, excluded, problems
    exclude = choice(fixes, "too_long") == "exclude"
    sample = examples
    if len(examples) > LENGTH_SAMPLE and not exclude:
        picked = np.sort(np.random.default_rng(0).choice(len(examples), LENGTH_SAMPLE, False))
        sample = examples.iloc[picked]
    lengths = token_lengths(sample, task, tokenizer)
    rows = sample["_row"].to_numpy()
    over, prob = checks.too_long(lengths, int(max_length), rows, fixes, total=len(examples))
    if prob is None:
        return examples, excluded, problems
    problems = problems + [prob]
    if prob.action == "excluded":
        reasons = pd.Series([None] * len(frame), dtype=object)
        reasons.iloc[rows[over] - 1] = "too_long"
        excluded = sorted(excluded + excluded_rows(frame, reasons), key=lambda e: e["row"])
        examples = examples[~over].reset_index(drop=True)
    return examples, excluded, problems


def token_lengths(examples: pd.DataFrame, task: str, tokenizer, batch: int = 1000) -> np.ndarray:
    if task == "classification":
        first = examples["text"].tolist()
        second = examples["text_pair"].tolist() if "text_pair" in examples else None
    elif task == "text2text":
        first = [f"{p}\n{r}" for p, r in zip(examples["prompt"], examples["response"])]
        second = None
    else:
        first = [_chat_text(tokenizer, m) for m in examples["messages"]]
        second = None
    out = []
    for i in range(0, len(first), batch):
        enc = tokenizer(first[i:i + batch], second[i:i + batch] if second else None,
                        truncation=False)
        out += [len(ids) for ids in enc["input_ids"]]
    return np.array(out, dtype=np.int64)


def _chat_text(tokenizer, messages) -> str:
    if getattr(tokenizer, "chat_template", None):
        try:
            plain = [{"role": m["role"], "content": m["content"]} for m in messages]
            return tokenizer.apply_chat_template(plain, tokenize=False)
        except Exception:       # a template may reject e.g. a system turn; fall back to plain text
            log.debug("chat template failed; measuring plain text", exc_info=True)
    return render_messages(messages)
