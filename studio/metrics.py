"""Evaluation metrics computed locally (no metric downloads): classification and generation."""
from __future__ import annotations

import numpy as np

# A confusion matrix beyond this many classes is unreadable and its size grows with the square
# of the classes (5,000 labels made a 551 MB metrics file): keep the most frequent classes and
# fold the rest into "(other)". Per-class scores are kept for the most frequent classes only.
MATRIX_MAX_CLASSES = 30
PER_CLASS_MAX = 200
OTHER = "(other)"


def classification_metrics(pred: np.ndarray, gold: np.ndarray, names: list[str]) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.

    The confusion matrix is rows = true label, columns = predicted label, in `names` order.
    """
    pred, gold = np.asarray(pred), np.asarray(gold)
    k = len(names)
    cm = np.zeros((k, k), dtype=int)
    np.add.at(cm, (gold, pred), 1)
    tp = np.diag(cm).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(tp / cm.sum(axis=0))
        recall = np.nan_to_num(tp / cm.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    present = cm.sum(axis=1) > 0  # macro-F1 over the classes that occur in the gold labels
    support = cm.sum(axis=1)
    by_support = sorted(range(k), key=lambda i: (-support[i], i))
    matrix, matrix_labels = bounded_matrix(cm, list(names), by_support)
    return {
        "accuracy": float((pred == gold).mean()) if len(gold) else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {names[i]: {"precision": float(precision[i]), "recall": float(recall[i]),
                                 "f1": float(f1[i]), "support": int(support[i])}
                      for i in sorted(by_support[:PER_CLASS_MAX])},
        "confusion_matrix": matrix,
        "confusion_labels": matrix_labels,
        "labels": list(names),
    }


def bounded_matrix(cm: np.ndarray, names: list[str], by_support: list[int],
                   limit: int = MATRIX_MAX_CLASSES) -> tuple[list[list[int]], list[str]]:
    """The confusion matrix as is up to `limit` classes; beyond, the `limit - 1` most frequent
    classes (in their original order) plus one "(other)" row and column for the rest."""
    if len(names) <= limit:
        return cm.tolist(), list(names)
    keep = sorted(by_support[:limit - 1])
    index = np.full(len(names), len(keep))          # everything else -> "(other)"
    index[keep] = np.arange(len(keep))
    small = np.zeros((len(keep) + 1, len(keep) + 1), dtype=int)
    rows, cols = np.nonzero(cm)
    np.add.at(small, (index[rows], index[cols]), cm[rows, cols])
    return small.tolist(), [names[i] for i in keep] + [OTHER]


def generation_metrics(predictions: list[str], references: list[str]) -> dict:
    """BLEU and chrF (sacrebleu), ROUGE-L F1 (rouge-score) and exact match, on generated text."""
    import sacrebleu
    from rouge_score import rouge_scorer
    if not predictions:
        return {}
    preds = [p.strip() for p in predictions]
    refs = [r.strip() for r in references]
    # "zh" tokenization splits CJK characters, so Chinese outputs get a meaningful BLEU too.
    cjk = any("\u4e00" <= ch <= "\u9fff" for r in refs for ch in r)
    bleu = sacrebleu.corpus_bleu(preds, [refs], tokenize="zh" if cjk else "13a")
    chrf = sacrebleu.corpus_chrf(preds, [refs])
    from rouge_score.tokenizers import DefaultTokenizer
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False,
                                      tokenizer=_CharTokenizer() if cjk else DefaultTokenizer())
    rouge = np.mean([scorer.score(r, p)["rougeL"].fmeasure for p, r in zip(preds, refs)])
    return {"bleu": float(bleu.score), "chrf": float(chrf.score), "rougeL": float(rouge * 100),
            "exact_match": float(np.mean([p == r for p, r in zip(preds, refs)]) * 100)}


class _CharTokenizer:
    """ROUGE's default tokenizer drops non-Latin text; score CJK per character instead."""

    def tokenize(self, text: str) -> list[str]:
        return [ch for ch in text if not ch.isspace()]
