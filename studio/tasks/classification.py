"""Text classification (one text or a text pair -> one of N labels) for every family.

All three families use a sequence-classification head (for T5 that is T5ForSequenceClassification,
its encoder-decoder with a head on the final token). One code path, one set of metrics, and the
playground gets real label probabilities from every model.
"""
from __future__ import annotations

import numpy as np

from .common import ensure_pad_token, pad_multiple, truncation_notes
from ..metrics import classification_metrics
from ..rowkeys import row_keys


def load_model(location: str, job, labels: list[str], trust_remote_code: bool = False,
               tokenizer=None):
    from transformers import AutoModelForSequenceClassification
    model = AutoModelForSequenceClassification.from_pretrained(
        location, num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={n: i for i, n in enumerate(labels)}, trust_remote_code=trust_remote_code)
    if tokenizer is not None and model.config.pad_token_id is None:
        # GPT models classify from the last non-pad token, which needs a pad id.
        model.config.pad_token_id = tokenizer.pad_token_id
    return model


prepare_tokenizer = ensure_pad_token


def encode(tokenizer, texts: list[str], pairs: list[str] | None, max_length: int) -> dict:
    return tokenizer(texts, pairs, truncation=True, max_length=max_length)


# Rows tokenized at a time. A fast tokenizer keeps a Rust Encoding (tokens, offsets, ...) per
# text until its batch is dropped, tens of KB each: a million rows at once held gigabytes, so
# each slice is turned into compact arrow columns before the next one is tokenized.
ENCODE_ROWS = 20_000


def build_dataset(frame, tokenizer, job, labels: list[str]):
    from datasets import Dataset, concatenate_datasets
    index = {n: i for i, n in enumerate(labels)}
    parts, lengths = [], []
    for start in range(0, max(len(frame), 1), ENCODE_ROWS):
        part = frame.iloc[start:start + ENCODE_ROWS]
        pairs = part["text_pair"].astype(str).tolist() if "text_pair" in part else None
        enc = dict(encode(tokenizer, part["text"].astype(str).tolist(), pairs,
                          job.train.max_length))
        enc["labels"] = [index[str(x)] for x in part["label"]]
        enc["length"] = [len(x) for x in enc["input_ids"]]
        lengths.extend(enc["length"])
        parts.append(Dataset.from_dict(enc))
    notes = truncation_notes(lengths, job.train.max_length, "texts")
    return (parts[0] if len(parts) == 1 else concatenate_datasets(parts)), notes


def make_collator(tokenizer, model=None):
    from transformers import DataCollatorWithPadding
    return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=pad_multiple())


def make_trainer_class(base):
    from .packing import make_trainer_class as packed
    return packed(base)


def packed_collator(job, tokenizer):
    """The training collator when train.packing is on (see studio/tasks/packing.py)."""
    from .packing import PackedCollator
    return PackedCollator(tokenizer.pad_token_id) if job.train.packing else None


def compute_metrics(labels: list[str]):
    def fn(eval_pred):
        logits = eval_pred.predictions[0] if isinstance(eval_pred.predictions, tuple) \
            else eval_pred.predictions
        m = classification_metrics(np.argmax(logits, -1), eval_pred.label_ids, labels)
        return {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"]}  # Trainer logs scalars
    return fn


def detailed_eval(trainer, dataset, frame, labels: list[str]) -> tuple[dict, list[dict]]:
    """Full metrics (per class, confusion matrix) and one row per validation example."""
    import torch
    # Under group_by_length the Trainer's eval sampler reorders rows by length, which would
    # pair each prediction with another row's text; predict in the frame's order instead.
    strategy = trainer.args.train_sampling_strategy
    trainer.args.train_sampling_strategy = "random"
    try:
        out = trainer.predict(dataset)
    finally:
        trainer.args.train_sampling_strategy = strategy
    logits = out.predictions[0] if isinstance(out.predictions, tuple) else out.predictions
    probs = torch.softmax(torch.as_tensor(logits, dtype=torch.float32), -1).numpy()
    pred = probs.argmax(-1)
    metrics = classification_metrics(pred, out.label_ids, labels)
    metrics["eval_loss"] = float(out.metrics.get("test_loss", float("nan")))
    # `key` pairs this row with the same row in another run's outputs (studio.rowkeys).
    texts = frame["text"].astype(str).tolist()
    if "text_pair" in frame:
        texts = [f"{a}\n{b}" for a, b in zip(texts, frame["text_pair"].astype(str))]
    rows = [{"row": int(r), "key": k, "text": t, "label": labels[g], "predicted": labels[p],
             "confidence": float(probs[i, p])}
            for i, (r, k, t, g, p) in enumerate(zip(frame["_row"], row_keys(texts),
                                                     frame["text"], out.label_ids, pred))]
    return metrics, rows


def generate_eval(model, tokenizer, frame, job) -> dict:
    return {}
