"""Generated text as whole characters.

A byte-level tokenizer (GPT-2, Llama, Qwen) decodes a character split over several tokens as
U+FFFD until its last byte arrives: a sample cut by max_new_tokens mid-character ended in
"不过是�", and an untrained model's stray bytes never form a character. The streamed chat
(studio.inference) already shows whole characters only; validation samples go through here.
"""
from __future__ import annotations

REPLACEMENT = "\ufffd"


def whole_characters(text: str) -> str:
    """`text` without the replacement characters of incomplete byte sequences."""
    return text.replace(REPLACEMENT, "")
