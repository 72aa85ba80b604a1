"""Chat and input->target text on T5-family (encoder-decoder) models.

The encoder reads the source text, the decoder learns the target. A conversation becomes one
example per final learned reply: the earlier turns, written as "role: text" lines, are the source.
A reply the data marked with loss_weight 0 is never a target; it can only be context.

T5 is not packed (train.packing resolves to off for it): packing an encoder-decoder needs
block-diagonal cross-attention as well, which transformers' T5 does not build from position
ids. Its batches are grouped by length instead (train.group_by_length, on by default: the
Trainer's length-grouped sampler), which removes most of the padding; measured on the
benchmark's tiny-t5 job, 1.97x samples/s against random batches (bench/levers.py).
"""
from __future__ import annotations

import json

import torch

from .common import pad_multiple, truncation_notes
from ..metrics import generation_metrics
from ..rowkeys import row_keys


def load_model(location: str, job, labels=None, trust_remote_code: bool = False, tokenizer=None):
    from transformers import AutoModelForSeq2SeqLM
    return AutoModelForSeq2SeqLM.from_pretrained(location, trust_remote_code=trust_remote_code)


def prepare_tokenizer(tokenizer):
    return tokenizer


def _target_index(msgs: list[dict]) -> int | None:
    """The last reply to learn: the last assistant turn not weighted 0."""
    return max((i for i, m in enumerate(msgs) if m["role"] == "assistant"
                and m.get("loss_weight", 1) != 0), default=None)


def source_target(row) -> tuple[str, str]:
    if "messages" in row and row["messages"] is not None:
        msgs = list(row["messages"])
        last = _target_index(msgs)
        if last is None:    # nothing learned here (e.g. a prompt to answer): the last reply
            last = max(i for i, m in enumerate(msgs) if m["role"] == "assistant")
        history = msgs[:last]
        if len(history) == 1:  # a single instruction reads best as plain text
            return history[0]["content"], msgs[last]["content"]
        return "\n".join(f"{m['role']}: {m['content']}" for m in history), msgs[last]["content"]
    return str(row["prompt"]), str(row["response"])


def build_dataset(frame, tokenizer, job, labels=None):
    from datasets import Dataset
    pairs, unlearned = [], []
    for r in frame.to_dict("records"):
        if r.get("messages") is not None and _target_index(list(r["messages"])) is None:
            unlearned.append(int(r.get("_row", 0)))
        else:
            pairs.append(source_target(r))
    enc = tokenizer([s for s, _ in pairs], text_target=[t for _, t in pairs], truncation=True,
                    max_length=job.train.max_length)
    enc["length"] = [len(x) for x in enc["input_ids"]]
    notes = truncation_notes(enc["length"], job.train.max_length, "inputs")
    if unlearned:
        notes.append({"code": "no_target", "count": len(unlearned), "rows": unlearned[:5],
                      "text": f"{len(unlearned)} conversations were left out because every "
                              f"reply in them has loss_weight 0 (rows {unlearned[:5]})."})
    return Dataset.from_dict(dict(enc)), notes


def make_collator(tokenizer, model=None):
    from transformers import DataCollatorForSeq2Seq
    return DataCollatorForSeq2Seq(tokenizer, model=model, pad_to_multiple_of=pad_multiple())


def compute_metrics(labels=None):
    return None


@torch.no_grad()
def generate(model, tokenizer, sources: list[str], max_new_tokens: int = 128,
             batch_size: int = 8, max_length: int = 512, **sampling) -> list[str]:
    model.eval()
    outs = []
    for s in range(0, len(sources), batch_size):
        enc = tokenizer(sources[s:s + batch_size], return_tensors="pt", padding=True,
                        truncation=True, max_length=max_length).to(model.device)
        gen = model.generate(**enc, max_new_tokens=max_new_tokens,
                             do_sample=bool(sampling.get("temperature")), **sampling)
        outs += tokenizer.batch_decode(gen, skip_special_tokens=True)
    from .decoding import whole_characters  # a sample cut mid-character ends in no U+FFFD
    return [whole_characters(o).strip() for o in outs]


def generate_eval(model, tokenizer, frame, job) -> dict:
    n = min(job.train.generation_samples, len(frame))
    if n <= 0:
        return {}
    pairs = [source_target(r) for r in frame.head(n).to_dict("records")]
    longest = max(len(tokenizer(t)["input_ids"]) for _, t in pairs)
    preds = generate(model, tokenizer, [s for s, _ in pairs],
                     max_new_tokens=min(128, int(longest * 1.5) + 8),
                     max_length=job.train.max_length)
    # `key` pairs a sample with the same row in another run (studio.rowkeys), GPT ones too.
    keys = row_keys(json.dumps(r["messages"], ensure_ascii=False, default=str)
                    if r.get("messages") is not None
                    else f"{r.get('prompt')}\n{r.get('response')}"
                    for r in frame.head(n).to_dict("records"))
    return {**generation_metrics(preds, [t for _, t in pairs]),
            "samples": [{"key": k, "prompt": s, "reference": t, "generated": p}
                        for k, (s, t), p in zip(keys, pairs, preds)]}
