"""Small pieces every task module shares."""
from __future__ import annotations


def ensure_pad_token(tokenizer):
    """Batches need a pad token; decoder tokenizers often lack one, so reuse end-of-text."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
    return tokenizer


def truncation_notes(lengths: list[int], max_length: int, what: str = "examples") -> list[dict]:
    """A note (an event message) saying how many examples hit max_length and were cut."""
    truncated = sum(1 for n in lengths if n >= max_length)
    if not truncated:
        return []
    return [{"code": "truncated", "count": truncated, "max_length": max_length,
             "text": f"{truncated} of {len(lengths)} {what} are longer than {max_length} "
                     f"tokens and were truncated; raise train.max_length to keep them whole."}]


def pad_multiple() -> int | None:
    """Round padded lengths up to a multiple of 8 only on GPUs, whose tensor cores want it;
    on a CPU it just adds work (a 12-token batch would grow by a third)."""
    import torch
    return 8 if torch.cuda.is_available() else None
