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


def first_fit(lengths: list[int], cap: int) -> tuple[list[list[int]], list[int]]:
    """Packed rows: first fit, longest first - each text goes into the first row with room for
    it (at most `cap` tokens). Returns each row's text indices and its token count."""
    rows: list[list[int]] = []
    load: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        r = next((r for r, used in enumerate(load) if used + lengths[i] <= cap), None)
        if r is None:
            rows.append([])
            load.append(0)
            r = len(rows) - 1
        rows[r].append(i)
        load[r] += lengths[i]
    return rows, load


class PackedTrainingData:
    """Trainer mixin: training batches come from `packed_collator` when one is set;
    evaluation keeps the ordinary padded collator."""
    packed_collator = None

    def get_train_dataloader(self):
        if self.packed_collator is None:
            return super().get_train_dataloader()
        padded, self.data_collator = self.data_collator, self.packed_collator
        try:
            return super().get_train_dataloader()
        finally:
            self.data_collator = padded
