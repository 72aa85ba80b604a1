"""Which number format a job trains in, and keeping LoRA's frozen weights in it."""
from __future__ import annotations

import contextlib
import re
from pathlib import Path

from ..config import JobConfig

# Below this hidden size a CPU's bf16 autocast costs more than it saves: the matmuls are too
# small for AMX to matter, while every weight and activation is still converted at each step
# (tiny-t5, width 64: 177 samples/s in fp32 against 120 in bf16; MiniLM, width 384: bf16 1.9x
# faster than fp32).
BF16_MIN_WIDTH = 256


def cpu_has_fast_bf16() -> bool:
    """AMX or AVX512-BF16 in /proc/cpuinfo: the CPUs where bf16 matmuls are 3-4x faster."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return bool(re.search(r"\b(amx_bf16|avx512_bf16)\b", flags))


def auto_precision(width: int | None = None) -> str:
    """bf16 where the hardware multiplies it fast (CUDA bf16; CPUs with AMX / AVX512-BF16, for
    models wide enough to gain from it), fp16 on older GPUs, fp32 otherwise."""
    import torch
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if width is not None and width < BF16_MIN_WIDTH:
        return "fp32"
    return "bf16" if cpu_has_fast_bf16() else "fp32"


def precision(cfg: JobConfig) -> str:
    """The precision a job trains in; the plan has already settled 'auto' for its model."""
    return auto_precision() if cfg.train.precision == "auto" else cfg.train.precision


def autocast(cfg: JobConfig):
    """The same reduced precision for work done outside Trainer (generation)."""
    import torch
    prec = precision(cfg)
    if prec == "fp32":
        return contextlib.nullcontext()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.autocast(device, dtype=torch.bfloat16 if prec == "bf16" else torch.float16)


def frozen_linears_to_bf16(model) -> int:
    """Store LoRA's frozen Linear weights in bf16; returns how many were converted.

    Under bf16 autocast every fp32 weight is converted to bf16 at each use, and autocast caches
    those copies only for weights that require grad, so frozen ones are converted again at every
    forward: a full read and write of the base model per step. Stored in bf16 they are used as
    they are (SmolLM2 LoRA step 3.45 -> 2.86 s, profiled). Embeddings and norms stay fp32 so the
    residual stream keeps fp32 accuracy; adapters and any trained head stay fp32 too.
    """
    import torch
    from transformers.pytorch_utils import Conv1D  # GPT-2's linear layers
    embeddings = model.get_input_embeddings().weight  # an output layer tied to it stays fp32
    n = 0
    for module in model.modules():
        if isinstance(module, (torch.nn.Linear, Conv1D)) and not module.weight.requires_grad \
                and module.weight.dtype == torch.float32 and module.weight is not embeddings:
            module.to(torch.bfloat16)
            n += 1
    return n
