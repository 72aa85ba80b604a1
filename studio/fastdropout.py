"""Dropout whose random masks cost a quarter of torch's on a CPU.

torch draws CPU dropout masks with `bernoulli_` on its Mersenne-Twister generator, one 32-bit
draw per element on one thread: 4-6 ns an element. LoRA applies dropout to the input of every
adapted layer (7 per SmolLM2 block), so on the instruction benchmark the masks took 31% of each
training step (profiled, 1.7 s of 5.5 s). numpy's PCG64 fills 16-bit integers about four times
faster; a mask element is kept when its integer is at or above p * 65536, so the drop
probability is p rounded to 1/65536 and the kept values are scaled by 1 / (1 - p) exactly like
torch's dropout. The generator is seeded from torch's RNG on first use, so `train.seed` keeps
runs reproducible (a resumed run draws fresh masks, as it would for any data-order RNG it does
not restore).

GPUs keep torch's own dropout: their generator is fast and this one would run on the host.
"""
from __future__ import annotations

import numpy as np
import torch

RANGE = 65536


class FastDropout(torch.nn.Module):
    def __init__(self, p: float):
        super().__init__()
        self.p = float(p)
        self._rng: np.random.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p <= 0.0:
            return x
        if self.p >= 1.0:
            return x * 0.0
        if self._rng is None:
            self._rng = np.random.default_rng(int(torch.randint(0, 2**62, (1,)).item()))
        bits = self._rng.integers(-RANGE // 2, RANGE // 2, size=x.shape, dtype=np.int16)
        keep = torch.from_numpy(bits) >= (round(self.p * RANGE) - RANGE // 2)
        return torch.where(keep, x * (1.0 / (1.0 - self.p)), 0.0)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def install(model: torch.nn.Module) -> int:
    """Swap every nn.Dropout module of a CPU model for FastDropout; returns how many."""
    if any(p.is_cuda for p in model.parameters()):
        return 0
    swaps = [(parent, name, child.p)
             for parent in model.modules()
             for name, child in parent.named_children()
             if type(child) is torch.nn.Dropout]
    for parent, name, p in swaps:
        setattr(parent, name, FastDropout(p))
    return len(swaps)
