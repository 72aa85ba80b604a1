"""The causal-LM training loss without a batch x length x vocabulary logits tensor.

A vocabulary projection for a whole batch is the largest tensor a small LM's training step
makes: 16 rows x 512 tokens x 49,152 (SmolLM2) is 1.6 GB in fp32, and the stock loss holds a
bf16 copy, an fp32 copy and its gradient at once. Here the hidden states of the tokens that
carry a label are projected a chunk at a time (`CHUNK_TOKENS` rows), the fp32 cross-entropy is
summed, and the gradient of each chunk's logits is turned into the gradient of its hidden
states (and of the head's weight, when trained) before the next chunk is projected. Peak memory
for the loss is one chunk's logits; the work is the same three matmuls the full path does (no
recomputation). Heads that are not a plain Linear (a LoRA-wrapped head) take the generic path:
each chunk under torch.utils.checkpoint, which recomputes the chunk's logits in backward
instead of keeping them. Models whose logits are soft-capped or scaled keep the stock loss.

`CHUNKED` says whether causal-LM training and evaluation use this (the memory planner reads it:
with it the logits term is one chunk, not batch x length x vocabulary; see logits_bytes).
"""
from __future__ import annotations

import os

import torch
import torch.nn.functional as F

# STUDIO_CHUNKED_LOSS=0 turns it off (bench/levers.py measures the difference that way).
CHUNKED = os.environ.get("STUDIO_CHUNKED_LOSS", "1") != "0"
# Rows of logits alive at once: 256 x 49,152 x 4 bytes = 50 MB for SmolLM2, while each chunk
# is still a matmul big enough to run at full speed.
CHUNK_TOKENS = 256
IGNORE = -100


def logits_bytes(vocab: int, tokens: int) -> int:
    """Bytes of logits the training loss keeps alive for `tokens` labelled tokens (planner)."""
    n = min(tokens, CHUNK_TOKENS) if CHUNKED else tokens
    return n * vocab * 4 * (2 if CHUNKED else 3)  # fp32 logits + their gradient (+ bf16 copy)


def plain_linear_head(head) -> bool:
    return type(head) is torch.nn.Linear


class _LinearCrossEntropy(torch.autograd.Function):
    """sum(cross_entropy(hidden @ W.T + b, targets)); the gradients are computed chunk by
    chunk in forward (each chunk's logits die before the next is made), backward scales them."""

    @staticmethod
    def forward(ctx, hidden, weight, bias, targets, chunk, needs):
        need_h, need_w, need_b = needs
        ctx.dtypes = (hidden.dtype, weight.dtype, bias.dtype if bias is not None else None)
        device = hidden.device.type
        total = hidden.new_zeros((), dtype=torch.float32)
        g_h = torch.empty_like(hidden) if need_h else None
        g_w = torch.zeros_like(weight, dtype=torch.float32) if need_w else None
        g_b = torch.zeros_like(bias, dtype=torch.float32) if need_b else None
        # The dtype the stock path's backward matmuls run in: autocast's, else the operands'.
        mm = torch.get_autocast_dtype(device) if torch.is_autocast_enabled(device) \
            else torch.promote_types(hidden.dtype, weight.dtype)
        # Cast the head once, not once per chunk (autocast would re-cast it at every call).
        w = weight.to(mm)
        b = bias.to(mm) if bias is not None else None
        for s in range(0, hidden.shape[0], chunk):
            h, t = hidden[s:s + chunk].to(mm), targets[s:s + chunk]
            logits = F.linear(h, w, b).float()
            valid = (t != IGNORE).nonzero().squeeze(1)
            lse = torch.logsumexp(logits, -1)
            total += (lse[valid] - logits[valid, t[valid]]).sum()
            if not any(needs):
                continue
            # d(sum CE)/d logits = softmax - one_hot, made in place of the logits so one
            # chunk-sized fp32 tensor is alive at a time.
            grad = logits.sub_(lse.unsqueeze(1)).exp_()
            grad[valid, t[valid]] -= 1
            ignored = t == IGNORE
            if ignored.any():
                grad[ignored] = 0
            grad = grad.to(mm)
            if need_h:
                g_h[s:s + chunk] = grad @ w
            if need_w:
                g_w += grad.T @ h
            if need_b:
                g_b += grad.float().sum(0)
        ctx.save_for_backward(g_h, g_w, g_b)
        return total

    @staticmethod
    def backward(ctx, grad_out):
        grads = []
        for g, dtype in zip(ctx.saved_tensors, ctx.dtypes):
            grads.append(None if g is None else (g * grad_out).to(dtype))
        return (*grads, None, None, None)


def _fused(hidden, head, targets, chunk):
    w, b = head.weight, head.bias
    on = torch.is_grad_enabled()
    needs = (on and hidden.requires_grad, on and w.requires_grad,
             on and b is not None and b.requires_grad)
    return _LinearCrossEntropy.apply(hidden, w, b, targets, chunk, needs)


def _checkpointed(hidden, head, targets, chunk):
    from torch.utils.checkpoint import checkpoint

    def piece(h, t):
        return F.cross_entropy(head(h).float(), t, reduction="sum", ignore_index=IGNORE)

    total = hidden.new_zeros((), dtype=torch.float32)
    for s in range(0, hidden.shape[0], chunk):
        total = total + checkpoint(piece, hidden[s:s + chunk], targets[s:s + chunk],
                                   use_reentrant=False)
    return total


def chunked_cross_entropy(hidden: torch.Tensor, head, targets: torch.Tensor,
                          chunk: int = CHUNK_TOKENS) -> torch.Tensor:
    """Sum over rows of cross_entropy(head(hidden[i]), targets[i]) in fp32, never holding more
    than `chunk` rows of logits. hidden [n, d], targets [n] (IGNORE rows count nothing)."""
    if plain_linear_head(head):
        return _fused(hidden, head, targets, chunk)
    return _checkpointed(hidden, head, targets, chunk)


def decoder_and_head(model):
    """The model's body (returns hidden states) and its vocabulary projection, or None where
    the head does more than project (soft-capped or scaled logits) and the stock path must run.
    """
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    cfg = base.config
    if getattr(cfg, "final_logit_softcapping", None) or getattr(cfg, "logit_scale", None) \
            not in (None, 1, 1.0):
        return None
    try:
        body, head = base.get_decoder(), base.get_output_embeddings()
    except (AttributeError, NotImplementedError):
        return None
    if body is None or head is None or body is base:
        return None
    return body, head


def causal_lm_loss_sum(model, inputs: dict, chunk: int = CHUNK_TOKENS):
    """(sum of per-token losses, number of labelled tokens) for a causal-LM batch, chunked.

    Position t predicts token t + 1, as in the stock loss; only positions whose next token is
    learned are projected. Returns None where the model's head is not supported.
    """
    parts = decoder_and_head(model)
    if parts is None:
        return None
    body, head = parts
    labels = inputs["labels"]
    rest = {k: v for k, v in inputs.items() if k != "labels"}
    hidden = body(**rest, use_cache=False).last_hidden_state
    mask = labels[:, 1:] != IGNORE
    h = hidden[:, :-1][mask]
    targets = labels[:, 1:][mask]
    return chunked_cross_entropy(h, head, targets, chunk), int(targets.numel())
