"""Holding out a validation split, stratified by label for classification."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def split_validation(examples: pd.DataFrame, fraction: float, seed: int, task: str
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out `fraction` of the rows, stratified by label; both parts keep the file order."""
    n = len(examples)
    if fraction <= 0 or n < 2:
        return examples.reset_index(drop=True), examples.iloc[:0].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    chosen = np.zeros(n, dtype=bool)
    if task == "classification" and "label" in examples:
        groups = {str(k): v for k, v in examples.groupby("label", sort=False).indices.items()}
        quota = _allocate({k: len(v) for k, v in groups.items()}, fraction)
        for label in sorted(groups):
            if quota.get(label):
                chosen[rng.permutation(groups[label])[:quota[label]]] = True
    else:
        k = min(n - 1, max(1, int(round(n * fraction))))
        chosen[rng.choice(n, size=k, replace=False)] = True
    return (examples[~chosen].reset_index(drop=True), examples[chosen].reset_index(drop=True))


def _allocate(sizes: dict[str, int], fraction: float) -> dict[str, int]:
    """Largest-remainder share per class; a class keeps at least one row in training."""
    eligible = {k: s for k, s in sizes.items() if s >= 2}
    total = sum(eligible.values())
    if not total:
        return {}
    target = min(sum(s - 1 for s in eligible.values()), max(1, int(round(total * fraction))))
    exact = {k: s * fraction for k, s in eligible.items()}
    quota = {k: min(int(math.floor(v)), eligible[k] - 1) for k, v in exact.items()}
    order = sorted(eligible, key=lambda k: (-(exact[k] - math.floor(exact[k])), k))
    while sum(quota.values()) < target:
        grew = False
        for k in order:
            if sum(quota.values()) >= target:
                break
            if quota[k] < eligible[k] - 1:
                quota[k] += 1
                grew = True
        if not grew:
            break
    return quota
