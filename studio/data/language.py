"""The language of a data set, as far as choosing a model needs it: is it Chinese?"""
from __future__ import annotations

import re

import pandas as pd

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def chinese(examples: pd.DataFrame, sample: int = 200) -> bool:
    """Whether the data is Chinese: in one of its text columns (the first `sample` examples)
    at least a third of the letters are CJK characters - an English-to-Chinese translation
    set counts, its targets are Chinese. A Chinese-capable model is then suggested
    (studio.models.suggest)."""
    def text(value) -> str:
        if isinstance(value, (list, tuple)):  # a conversation: its messages' contents
            return " ".join(text(m.get("content") if isinstance(m, dict) else m) for m in value)
        return "" if value is None else str(value)
    for col in (c for c in examples.columns if c != "_row"):
        joined = " ".join(text(v) for v in examples[col].head(sample))
        letters = sum(ch.isalpha() for ch in joined)
        if letters and len(CJK.findall(joined)) >= letters / 3:
            return True
    return False
