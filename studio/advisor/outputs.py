"""Rules over what a run produced and what it was given: classes the classifier ignores,
too little data for the model, generated samples that repeat themselves or are empty."""
from __future__ import annotations

from collections import Counter

from .facts import RunFacts
from .finding import Finding

# Sokolova & Lapalme 2009, "A systematic analysis of performance measures for classification
# tasks": accuracy hides the minority classes, macro-averaging weighs every class alike; a
# macro-F1 more than 0.15 under accuracy means the rare classes are served badly.
MACRO_GAP = 0.15
MIN_SUPPORT = 2          # a class with recall 0 on at least 2 validation rows is ignored
# Devlin et al. 2019 (fine-tuning "was sometimes unstable" on small data sets), Mosbach et al.
# 2021 and Zhang et al. 2021 (few-sample BERT fine-tuning): under ~1,000 rows full
# fine-tuning is unstable, worse the more trainable parameters each row has to pin down.
FEW_ROWS = 1000
PARAMS_PER_ROW = 10_000  # trainable parameters per training row, full fine-tuning
VERY_FEW_ROWS = 100      # with LoRA: only a warning below this many rows
# Welleck et al. 2019, "Neural text generation with unlikelihood training": seq-rep-n, the
# share of repeated n-grams in a continuation (n=4; human text ~0.01, greedy GPT-2 ~0.44).
REPEAT_N = 4
REPEAT_SHARE = 0.3       # a sample whose seq-rep-4 is above this repeats itself
MIN_WORDS = 8            # fewer words than this: measure over characters instead
REPEATING_SAMPLES = 0.5  # a finding when at least half of the samples repeat
EMPTY_SAMPLES = 0.25     # or a quarter of them are empty


def classes_ignored(f: RunFacts, predictions: list[dict] | None = None) -> Finding | None:
    if f.task != "classification" or not f.after:
        return None
    per_class = f.after.get("per_class") or recalls(predictions or [])
    ignored = {name: int(c.get("support") or 0) for name, c in per_class.items()
               if isinstance(c, dict) and (c.get("support") or 0) >= MIN_SUPPORT
               and not c.get("recall")}
    if ignored:
        return Finding.make("classes_ignored", {}, classes=sorted(ignored),
                            support=sum(ignored.values()))
    acc, macro = f.after.get("accuracy"), f.after.get("macro_f1")
    if isinstance(acc, (int, float)) and isinstance(macro, (int, float)) \
            and acc - macro > MACRO_GAP:
        return Finding.make("classes_unbalanced", {}, macro_f1=round(macro, 3),
                            accuracy=round(acc, 3), gap=round(acc - macro, 3))
    return None


def recalls(rows: list[dict]) -> dict:
    """Per-class recall and support from predictions_after rows (label, predicted)."""
    support, hits = Counter(), Counter()
    for r in rows:
        support[str(r.get("label"))] += 1
        hits[str(r.get("label"))] += r.get("label") == r.get("predicted")
    return {k: {"recall": hits[k] / n, "support": n} for k, n in support.items()}


def too_little_data(f: RunFacts) -> Finding | None:
    rows, trainable = f.train_rows, f.trainable or f.parameters
    if not rows or not trainable or rows >= FEW_ROWS:
        return None
    if f.method == "lora":
        if rows >= VERY_FEW_ROWS:
            return None
        return Finding.make("too_little_data_lora", {}, rows=rows, trainable=trainable)
    per_row = trainable // rows
    if per_row < PARAMS_PER_ROW:
        return None
    return Finding.make("too_little_data", {"method.method": "lora"}, rows=rows,
                        trainable=trainable, per_row=per_row)


def repeat_share(text: str) -> tuple[float, int] | None:
    """(seq-rep-n of the text, n) over words, or characters for short or unspaced text;
    None when it is too short to say."""
    units = text.split()
    if len(units) < MIN_WORDS:
        units = list(text.replace(" ", ""))
    if len(units) < 2 * REPEAT_N:
        return None
    grams = [tuple(units[i:i + REPEAT_N]) for i in range(len(units) - REPEAT_N + 1)]
    return 1 - len(set(grams)) / len(grams), REPEAT_N


def generation_repeats(f: RunFacts) -> Finding | None:
    texts = [str(s.get("generated") or "") for s in f.samples]
    shares = [(r[0], t) for t in texts if t.strip() and (r := repeat_share(t))]
    repeating = [(share, t) for share, t in shares if share > REPEAT_SHARE]
    if not texts or len(repeating) < REPEATING_SAMPLES * len(texts):
        return None
    worst = max(repeating, key=lambda x: x[0])
    return Finding.make("generation_repeats", {}, count=len(repeating), total=len(texts),
                        share_pct=round(100 * sum(s for s, _ in repeating) / len(repeating)),
                        n=REPEAT_N, example=" ".join(worst[1].split())[:60])


def generation_empty(f: RunFacts) -> Finding | None:
    texts = [str(s.get("generated") or "") for s in f.samples]
    empty = sum(1 for t in texts if not t.strip())
    if not texts or not empty or empty < EMPTY_SAMPLES * len(texts):
        return None
    return Finding.make("generation_empty", {}, count=empty, total=len(texts))
