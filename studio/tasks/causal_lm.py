"""Chat / instruction tuning and input->target text on GPT-family (decoder) models.

Each conversation is rendered with the tokenizer's chat template (a plain
"### Instruction / ### Response" layout when it has none) and the loss is computed on the
assistant's tokens only: the model learns to answer, not to repeat prompts. A reply the data file
marked with loss_weight 0 (kept in its normalised message) stays in the text as context but gets
no loss either. The rendered text is split at turn boundaries into prompt and answer segments
that are tokenized separately, so the label mask is exact whatever the template looks like.
"""
from __future__ import annotations

import contextlib
import json

import torch

from ..metrics import generation_metrics
from ..rowkeys import row_keys
from .common import PackedTrainingData, ensure_pad_token, pad_multiple, truncation_notes

IGNORE = -100
PLAIN_ROLES = {"system": "### System:\n", "user": "### Instruction:\n",
               "assistant": "### Response:\n"}


def load_model(location: str, job, labels=None, trust_remote_code: bool = False, tokenizer=None):
    from transformers import AutoModelForCausalLM
    model = AutoModelForCausalLM.from_pretrained(location, trust_remote_code=trust_remote_code)
    if model.config.pad_token_id is None and tokenizer is not None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model


prepare_tokenizer = ensure_pad_token


def learned(message: dict) -> bool:
    """Assistant replies are learned unless the data gave them loss_weight 0."""
    return message["role"] == "assistant" and message.get("loss_weight", 1) != 0


def _plain(messages: list[dict]) -> list[dict]:
    """Messages as a chat template expects them: role and content only."""
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def as_messages(row) -> list[dict]:
    """chat rows carry `messages`; text2text rows become one user turn and one reply."""
    if "messages" in row and row["messages"] is not None:
        return list(row["messages"])
    return [{"role": "user", "content": str(row["prompt"])},
            {"role": "assistant", "content": str(row["response"])}]


def render_prompt(tokenizer, messages: list[dict]) -> str:
    """The text that makes the model produce the next assistant turn."""
    if tokenizer.chat_template:
        return tokenizer.apply_chat_template(_plain(messages), tokenize=False,
                                             add_generation_prompt=True)
    return "".join(PLAIN_ROLES.get(m["role"], "") + m["content"] + "\n\n" for m in messages) \
        + PLAIN_ROLES["assistant"]


def segments(tokenizer, messages: list[dict]) -> list[tuple[str, bool, bool]]:
    """Split a conversation into (text, is_reply, is_learned) pieces that concatenate to the
    full text; a reply weighted 0 is a reply that is not learned."""
    out, done = [], ""
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prompt = render_prompt(tokenizer, messages[:i])
        if tokenizer.chat_template:
            full = tokenizer.apply_chat_template(_plain(messages[:i + 1]), tokenize=False)
        else:
            full = prompt + m["content"]
        if not prompt.startswith(done) or not full.startswith(prompt):
            # A template that rewrites earlier turns (some drop past reasoning); fall back to
            # training on this reply with everything before it as context.
            out = [(prompt, False, False)]
        else:
            out.append((prompt[len(done):], False, False))
        out.append((full[len(prompt):], True, learned(m)))
        done = full
    return out


def encode_conversation(tokenizer, messages: list[dict], max_length: int) -> dict:
    ids, labels = [], []
    if tokenizer.bos_token_id is not None and not tokenizer.chat_template:
        ids, labels = [tokenizer.bos_token_id], [IGNORE]
    for text, reply, trained in segments(tokenizer, messages):
        piece = tokenizer(text, add_special_tokens=False)["input_ids"]
        if reply and tokenizer.eos_token_id is not None and not tokenizer.chat_template:
            piece = piece + [tokenizer.eos_token_id]  # teach the model where an answer ends
        ids += piece
        labels += piece if trained else [IGNORE] * len(piece)
    return {"input_ids": ids[:max_length], "labels": labels[:max_length]}


def build_dataset(frame, tokenizer, job, labels=None):
    from datasets import Dataset
    cols = {"input_ids": [], "labels": [], "length": [], "_row": []}
    no_target = []
    for row in frame.to_dict("records"):
        enc = encode_conversation(tokenizer, as_messages(row), job.train.max_length)
        if all(x == IGNORE for x in enc["labels"]):
            no_target.append(int(row.get("_row", 0)))
            continue
        cols["input_ids"].append(enc["input_ids"])
        cols["labels"].append(enc["labels"])
        cols["length"].append(len(enc["input_ids"]))
        cols["_row"].append(int(row.get("_row", 0)))
    notes = truncation_notes(cols["length"], job.train.max_length)
    if no_target:
        notes.append({"code": "no_target", "count": len(no_target), "rows": no_target[:5],
                      "text": f"{len(no_target)} examples were left out because their prompt "
                              f"alone fills max_length ({job.train.max_length}) tokens, "
                              f"leaving no answer to learn (rows {no_target[:5]}); raise "
                              f"train.max_length to keep them."})
    ds = Dataset.from_dict(cols)
    return ds.remove_columns("_row"), notes


class PadCollator:
    """Pads input_ids with the pad id and labels with -100 (ignored by the loss)."""

    def __init__(self, pad_id: int, multiple: int = 8):
        self.pad_id, self.multiple = pad_id, multiple

    def __call__(self, features: list[dict]) -> dict:
        n = max(len(f["input_ids"]) for f in features)
        n = -(-n // self.multiple) * self.multiple
        ids = torch.full((len(features), n), self.pad_id, dtype=torch.long)
        labels = torch.full((len(features), n), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(features), n), dtype=torch.long)
        for i, f in enumerate(features):
            k = len(f["input_ids"])
            ids[i, :k] = torch.as_tensor(f["input_ids"])
            labels[i, :k] = torch.as_tensor(f["labels"])
            mask[i, :k] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def make_collator(tokenizer, model=None):
    return PadCollator(tokenizer.pad_token_id, pad_multiple() or 1)


def compute_metrics(labels=None):
    return None


def split_for_generation(row) -> tuple[list[dict], str]:
    """The conversation up to its last assistant turn, and that turn's text (the reference)."""
    msgs = as_messages(row)
    last = max(i for i, m in enumerate(msgs) if m["role"] == "assistant")
    return msgs[:last], msgs[last]["content"]


@torch.no_grad()
def generate(model, tokenizer, prompts: list[str], max_new_tokens: int = 128,
             batch_size: int = 8, **sampling) -> list[str]:
    """Greedy (or sampled) generation for a list of rendered prompts, left-padded in batches."""
    model.eval()
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    outs = []
    try:
        for s in range(0, len(prompts), batch_size):
            enc = tokenizer(prompts[s:s + batch_size], return_tensors="pt", padding=True,
                            add_special_tokens=not tokenizer.chat_template).to(model.device)
            gen = model.generate(**enc, max_new_tokens=max_new_tokens,
                                 pad_token_id=tokenizer.pad_token_id,
                                 do_sample=bool(sampling.get("temperature")), **sampling)
            outs += tokenizer.batch_decode(gen[:, enc["input_ids"].shape[1]:],
                                           skip_special_tokens=True)
    finally:
        tokenizer.padding_side = side
    from .decoding import whole_characters  # a sample cut mid-character ends in no U+FFFD
    return [whole_characters(o).strip() for o in outs]


def generate_eval(model, tokenizer, frame, job) -> dict:
    n = min(job.train.generation_samples, len(frame))
    if n <= 0:
        return {}
    pairs = [split_for_generation(r) for r in frame.head(n).to_dict("records")]
    prompts = [render_prompt(tokenizer, h) for h, _ in pairs]
    refs = [r for _, r in pairs]
    longest = max(len(tokenizer(r, add_special_tokens=False)["input_ids"]) for r in refs)
    preds = generate(model, tokenizer, prompts, max_new_tokens=min(128, int(longest * 1.5) + 8))
    # `key` pairs a sample with the same row in another run (studio.rowkeys): from the row's
    # content, the same text seq2seq.generate_eval keys on, never from a model's template.
    keys = row_keys(json.dumps(r["messages"], ensure_ascii=False, default=str)
                    if r.get("messages") is not None
                    else f"{r.get('prompt')}\n{r.get('response')}"
                    for r in frame.head(n).to_dict("records"))
    return {**generation_metrics(preds, refs),
            "samples": [{"key": k, "prompt": h[-1]["content"] if h else "", "reference": r,
                         "generated": p} for k, (h, r), p in zip(keys, pairs, preds)]}


def packed_collator(job, tokenizer):
    """The training collator when train.packing is on (see studio/tasks/lm_packing.py)."""
    from .lm_packing import PackedLMCollator
    return PackedLMCollator(tokenizer.pad_token_id) if job.train.packing else None


def make_trainer_class(base):
    """A Trainer that trains on packed rows (train.packing) and never builds full logits.

    The LM head (hidden x vocab, 49k wide for SmolLM2) and the softmax over it are a large share
    of a small model's compute and its largest tensor. Prompt tokens carry no loss, so only the
    positions whose next token is learned are projected, a chunk at a time (lm_loss.py); where a
    head is not supported there, `logits_to_keep` with a boolean mask still skips the prompt's
    logits. Evaluation sums the same per-token losses over the same tokens as the stock
    path (tested to 1e-5), so reported eval losses compare with everyone else's.
    """
    import torch.nn.functional as F
    from . import lm_loss

    class ResponseOnlyTrainer(PackedTrainingData, base):
        def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
            """Evaluation without logits to return (no compute_metrics) sums the same loss in
            chunks: the stock eval loss to 1e-5, without a batch x length x vocabulary tensor
            at twice the training batch size."""
            if not (prediction_loss_only and lm_loss.CHUNKED and "labels" in inputs) or \
                    isinstance(model, torch.nn.parallel.DistributedDataParallel):
                return super().prediction_step(model, inputs, prediction_loss_only, ignore_keys)
            inputs = self._prepare_inputs(inputs)
            with torch.no_grad(), self.accelerator.autocast():
                out = lm_loss.causal_lm_loss_sum(model, inputs)
            if out is None:
                return super().prediction_step(model, inputs, prediction_loss_only, ignore_keys)
            return (out[0] / max(out[1], 1)).detach(), None, None

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            labels = inputs.get("labels")
            if return_outputs or labels is None or not model.training:
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            out = None
            ddp = isinstance(model, torch.nn.parallel.DistributedDataParallel)
            if lm_loss.CHUNKED and not ddp:
                # The body is called directly, not through the wrapped forward that enters
                # mixed precision, so enter the same autocast here. (A DDP model keeps the
                # path below: DDP must run its own forward to sync gradients.)
                acc = getattr(self, "accelerator", None)
                with acc.autocast() if acc is not None else contextlib.nullcontext():
                    out = lm_loss.causal_lm_loss_sum(model, inputs)
            if out is not None:
                loss, count = out
            else:
                target_mask = labels[:, 1:] != IGNORE      # position t predicts token t + 1
                keep = torch.zeros_like(labels, dtype=torch.bool)
                keep[:, :-1] = target_mask
                rest = {k: v for k, v in inputs.items() if k != "labels"}
                logits = model(**rest, logits_to_keep=keep, use_cache=False).logits
                logits = logits.reshape(-1, logits.shape[-1]).float()
                targets = labels[:, 1:][target_mask]
                loss = F.cross_entropy(logits, targets, reduction="sum")
                count = int(targets.numel())
            if num_items_in_batch is None:
                return loss / max(count, 1)
            n = num_items_in_batch.to(loss.device) if torch.is_tensor(num_items_in_batch) \
                else num_items_in_batch
            return loss / n
    return ResponseOnlyTrainer
