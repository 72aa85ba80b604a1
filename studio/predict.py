"""Predicting a whole file fast: rows sorted by length, batches sized by tokens, bf16 where it
pays, results streamed to the output file in the input's order.

A file's rows come in any order of length, so fixed batches of 32 pad every short text to the
longest one near it. Here the rows are read a window at a time (`WINDOW` rows: the reorder
buffer, so memory stays bounded whatever the file's size); inside a window they are tokenized
once, sorted by length and cut into batches of about `BATCH_TOKENS` tokens (many short texts
or a few long ones: the same work per forward pass, almost no padding). The window's results
go back to the input's order and are written before the next window starts, so the output
file grows while a long file is still being predicted. Nothing here imports
studio.inference (which calls this module); generation is handed in as a function.
"""
from __future__ import annotations

import contextlib
import csv
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .errors import InferenceError

WINDOW = 2048          # rows sorted together (the reorder buffer)
BATCH_TOKENS = 8192    # tokens (padded) per forward pass
MAX_ROWS = 256         # rows per forward pass, however short
# Batch widths are rounded up to a multiple of this, and a batch holds one width only: oneDNN
# builds (and keeps) a kernel for every new matmul shape, so a few shapes repeated beat a new
# shape per batch. Rounding costs padding, though: up to 15 tokens a row at 16, on rows of
# about 25 tokens (SST-2-style). Measured in fresh processes on 10,000 rows (MiniLM, bf16,
# `bench/predict.py --inner`, alternately): multiple 16: 277-299 rows/s, 8: 313-319, 4:
# 342-362; exact widths (1) lost again to new shapes in-process. Training's packed rows keep
# 16 (tasks/packing.py): they are filled to ~64 tokens, so rounding wastes little there.
WIDTH_MULTIPLE = 4


def bucket_width(length: int) -> int:
    return -(-length // WIDTH_MULTIPLE) * WIDTH_MULTIPLE


def length_batches(lengths: list[int], tokens: int = BATCH_TOKENS,
                   max_rows: int = MAX_ROWS) -> list[list[int]]:
    """Indices into `lengths`, sorted by length, grouped by bucket width, and cut so that
    rows x width <= tokens (a row longer than that goes alone)."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    current: list[int] = []
    width = 0
    for i in order:  # ascending: the newest row is the batch's longest
        w = bucket_width(lengths[i])
        if current and (w != width or (len(current) + 1) * w > tokens
                        or len(current) >= max_rows):
            batches.append(current)
            current = []
        current.append(i)
        width = w
    if current:
        batches.append(current)
    return batches


def use_bf16(model) -> bool:
    """bf16 autocast where training would pick it: a GPU with bf16, or a CPU with fast bf16
    matmuls and a model wide enough to gain (the same rule as train.precision=auto)."""
    from .jobs.numerics import auto_precision
    width = getattr(getattr(model, "config", None), "hidden_size", None)
    return auto_precision(width) == "bf16"


def _autocast(model, bf16: bool):
    import torch
    if not bf16:
        return contextlib.nullcontext()
    device = next(model.parameters()).device.type
    return torch.autocast(device, dtype=torch.bfloat16)


def _padded(enc: dict, rows: list[int], pad_id: int, device, left: bool = False) -> dict:
    """One batch as tensors, padded to its width bucket only (on the tokenizer's side: a GPT
    classifier reads its last real token)."""
    import torch
    width = bucket_width(max(len(enc["input_ids"][i]) for i in rows))
    out = {}
    for key, fill in (("input_ids", pad_id), ("token_type_ids", 0), ("attention_mask", 0)):
        if key not in enc:
            continue
        t = torch.full((len(rows), width), fill, dtype=torch.long)
        for r, i in enumerate(rows):
            seq = enc[key][i]
            if left:
                t[r, width - len(seq):] = torch.as_tensor(seq)
            else:
                t[r, :len(seq)] = torch.as_tensor(seq)
        out[key] = t.to(device)
    return out


def classify_window(lm, texts: list[str], pairs: list[str] | None = None,
                    bf16: bool | None = None, tokens: int = BATCH_TOKENS) -> list[dict]:
    """Predictions for one window of texts, in the texts' order."""
    import torch
    model, tok = lm.model, lm.tokenizer
    bf16 = use_bf16(model) if bf16 is None else bf16
    enc = tok(texts, pairs, truncation=True, max_length=lm.max_length)
    lengths = [len(x) for x in enc["input_ids"]]
    device = next(model.parameters()).device
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    left = getattr(tok, "padding_side", "right") == "left"
    out: list[dict | None] = [None] * len(texts)
    with lm.lock, torch.inference_mode(), _autocast(model, bf16):
        for rows in length_batches(lengths, tokens):
            logits = model(**_padded(enc, rows, pad_id, device, left)).logits
            probs = torch.softmax(logits.float(), -1).tolist()
            for i, row in zip(rows, probs):
                best = max(range(len(row)), key=row.__getitem__)
                out[i] = {"prediction": lm.labels[best],
                          "probabilities": dict(zip(lm.labels, row))}
    return out


def classify_stream(lm, texts: list[str], pairs: list[str] | None = None,
                    window: int = WINDOW, bf16: bool | None = None) -> Iterator[dict]:
    """Predictions for every text, in order, one window at a time."""
    for s in range(0, len(texts), window):
        yield from classify_window(lm, texts[s:s + window],
                                   pairs[s:s + window] if pairs else None, bf16)


class RowWriter:
    """A CSV written row by row (header from the first row), flushed after each window so a
    reader sees rows before the whole file is done; None path: writes nothing. The file is
    opened at the first row, so a file refused before any prediction leaves none behind."""

    def __init__(self, path: str | None):
        self.path = path
        self._file = None
        self._csv = None
        self.count = 0

    def write(self, row: dict) -> None:
        self.count += 1
        if self.path is None:
            return
        if self._csv is None:
            self._file = open(self.path, "w", encoding="utf-8", newline="")
            self._csv = csv.DictWriter(self._file, fieldnames=list(row))
            self._csv.writeheader()
        self._csv.writerow(row)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass
class Predictions:
    count: int                     # rows predicted (all of them written to `out`)
    rows: list[dict] | None        # the rows themselves, only when asked to keep them


def predict_frame(lm, ex, path: str, out: str | None, generate: Callable | None = None,
                  keep: bool = True, window: int = WINDOW) -> Predictions:
    """Predict the examples of a file read by the data layer; `generate(messages)` gives a
    generation model's reply. Rows go to `out` as they are produced."""
    writer = RowWriter(out)
    kept: list[dict] | None = [] if keep else None
    try:
        for row, flat in _rows(lm, ex, path, generate, window):
            writer.write(flat)
            if kept is not None:
                kept.append(row)
            if writer.count % window == 0:
                writer.flush()
    finally:
        writer.close()
    return Predictions(writer.count, kept)


def _rows(lm, ex, path: str, generate, window: int) -> Iterable[tuple[dict, dict]]:
    if lm.task == "classification":
        if "text" not in ex or not len(ex):
            from .shown import shown_path
            raise InferenceError(f"No text column found in {shown_path(path)}; name it 'text'.")
        texts = ex["text"].astype(str).tolist()
        pairs = ex["text_pair"].astype(str).tolist() if "text_pair" in ex else None
        results = classify_stream(lm, texts, pairs, window)
        for r, t, res in zip(ex["_row"], texts, results):
            yield ({"row": int(r), "input": t, **res},
                   {"row": int(r), "text": t, "prediction": res["prediction"],
                    **{f"p_{k}": v for k, v in res["probabilities"].items()}})
        return
    from .tasks.causal_lm import split_for_generation
    for rec in ex.to_dict("records"):
        history, _ = split_for_generation(rec) if has_reply(rec) else (prompt_messages(rec), "")
        row = {"row": int(rec["_row"]), "input": history[-1]["content"],
               "prediction": generate(history)}
        yield row, dict(row)


def has_reply(rec: dict) -> bool:
    msgs = rec.get("messages")
    if msgs is not None:
        return any(m["role"] == "assistant" for m in msgs)
    return bool(str(rec.get("response") or "").strip())


def prompt_messages(rec: dict) -> list[dict]:
    if rec.get("messages") is not None:
        return list(rec["messages"])
    return [{"role": "user", "content": str(rec["prompt"])}]
