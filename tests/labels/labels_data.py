"""A small sentiment file with a few labels flipped, for the label finder's tests."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from conftest import toy_sentiment

ROWS = 60
FLIPPED = {5, 18, 39}   # 1-based data rows whose label is flipped
OTHER = {"positive": "negative", "negative": "positive"}


def flipped_file(folder: Path, name: str = "flipped.csv") -> tuple[Path, dict[int, str]]:
    """The file, and row -> the label it had before the flip (the right one)."""
    rows = toy_sentiment(ROWS, seed=3)
    truth = {}
    for r in FLIPPED:
        truth[r] = rows[r - 1]["label"]
        rows[r - 1]["label"] = OTHER[truth[r]]
    path = Path(folder) / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, truth
