"""Padding-free training batches for GPT-family chat and text-to-text (causal LM).

The batch's examples are laid end to end in rows (first fit, longest first) no wider than
`max(ROW_TOKENS, the longest example)`, so short examples share a row instead of each padding
to the longest. Position ids restart at every example and no attention_mask is passed: from
restarting position ids transformers' mask builder (masking_utils.find_packed_sequence_indices,
used by Llama, Qwen2/3, Mistral and GPT-2 with sdpa, eager and flex attention) makes the causal
mask block-diagonal, so no example sees another. The tail of a row is padding numbered as one
more example of its own, with labels -100. Each example's first label is -100 too: in a row
the token before it belongs to the previous example, and position t predicts token t + 1; the
unpacked path never predicts a first token either. The loss is therefore the same sum over the
same tokens (tested to 1e-5 on tiny Llama and GPT-2).

Rows stay near ROW_TOKENS wide because the attention inside a row costs width^2 on a CPU (sdpa
with a mask computes the whole square); linear layers see the same tokens whatever the width.
"""
from __future__ import annotations

import torch

from .common import first_fit

IGNORE = -100
ROW_TOKENS = 256
# Row widths are rounded up to a multiple of this, as in packing.py: oneDNN builds a kernel for
# every new matmul shape, so a handful of widths beats a new width at every step.
WIDTH_MULTIPLE = 16


def supported_model(model) -> bool:
    """Decoders whose mask builder reads packed position ids (see the module docstring)."""
    import transformers as tf
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    kinds = tuple(getattr(tf, n) for n in ("LlamaForCausalLM", "MistralForCausalLM",
                                           "Qwen2ForCausalLM", "Qwen3ForCausalLM",
                                           "GPT2LMHeadModel") if hasattr(tf, n))
    if not isinstance(base, kinds):
        return False
    attn = getattr(base.config, "_attn_implementation", None) or "eager"
    return attn in ("sdpa", "eager", "flex_attention")


class PackedLMCollator:
    """Features with input_ids and labels -> input_ids, labels, position_ids [rows, width]."""

    def __init__(self, pad_id: int, row_tokens: int = ROW_TOKENS):
        self.pad_id, self.row_tokens = pad_id, row_tokens

    def __call__(self, features: list[dict]) -> dict:
        lengths = [len(f["input_ids"]) for f in features]
        cap = max(self.row_tokens, max(lengths))
        rows, load = first_fit(lengths, cap)
        width = -(-max(load) // WIDTH_MULTIPLE) * WIDTH_MULTIPLE
        n = len(rows)
        ids = torch.full((n, width), self.pad_id, dtype=torch.long)
        labels = torch.full((n, width), IGNORE, dtype=torch.long)
        pos = torch.zeros((n, width), dtype=torch.long)
        for r, members in enumerate(rows):
            at = 0
            for i in members:
                k = lengths[i]
                ids[r, at:at + k] = torch.as_tensor(features[i]["input_ids"])
                labels[r, at + 1:at + k] = torch.as_tensor(features[i]["labels"][1:])
                pos[r, at:at + k] = torch.arange(k)
                at += k
            pos[r, at:] = torch.arange(width - at)  # the padding tail: one more "example"
        return {"input_ids": ids, "labels": labels, "position_ids": pos}
