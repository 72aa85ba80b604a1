"""Evaluation metrics computed locally (no metric downloads): classification and generation."""
from __future__ import annotations

import numpy as np


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
    return {
        "accuracy": float((pred == gold).mean()) if len(gold) else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {n: {"precision": float(precision[i]), "recall": float(recall[i]),
                          "f1": float(f1[i]), "support": int(cm[i].sum())}
                      for i, n in enumerate(names)},
        "confusion_matrix": cm.tolist(),
        "labels": list(names),
    }


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
