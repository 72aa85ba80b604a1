"""studio.metrics on hand-made inputs: values a person can check on paper."""
import numpy as np
import pytest

from studio.metrics import OTHER, classification_metrics, generation_metrics


def test_classification_metrics_by_hand():
    # gold a a a b ; predicted a b a b  -> cm [[2, 1], [0, 1]]
    m = classification_metrics(np.array([0, 1, 0, 1]), np.array([0, 0, 0, 1]), ["a", "b"])
    assert m["confusion_matrix"] == [[2, 1], [0, 1]]  # rows = true, columns = predicted
    assert m["accuracy"] == pytest.approx(0.75)
    a, b = m["per_class"]["a"], m["per_class"]["b"]
    assert (a["precision"], a["recall"], a["support"]) == (1.0, pytest.approx(2 / 3), 3)
    assert (b["precision"], b["recall"], b["support"]) == (0.5, 1.0, 1)
    assert a["f1"] == pytest.approx(0.8) and b["f1"] == pytest.approx(2 / 3)
    assert m["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)
    assert m["labels"] == ["a", "b"] and m["confusion_labels"] == ["a", "b"]


def test_macro_f1_ignores_classes_absent_from_the_gold_labels():
    m = classification_metrics([0, 1, 1], [0, 1, 1], ["a", "b", "never"])
    assert m["macro_f1"] == 1.0 and m["accuracy"] == 1.0
    assert m["per_class"]["never"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_no_rows_gives_zero_not_nan():
    m = classification_metrics(np.array([], dtype=int), np.array([], dtype=int), ["a", "b"])
    assert m["accuracy"] == 0.0 and m["macro_f1"] == 0.0
    assert m["confusion_matrix"] == [[0, 0], [0, 0]]


def test_many_classes_fold_into_other_and_keep_every_count():
    names = [f"c{i}" for i in range(40)]
    gold = np.repeat(np.arange(40), np.arange(40, 0, -1))  # c0 most frequent, c39 least
    pred = np.roll(gold, 1)
    m = classification_metrics(pred, gold, names)
    cm = np.array(m["confusion_matrix"])
    assert cm.shape == (30, 30)
    assert m["confusion_labels"] == names[:29] + [OTHER]
    assert cm.sum() == len(gold)
    assert cm[-1].sum() == sum(40 - i for i in range(29, 40))  # the rows of c29..c39
    assert len(m["labels"]) == 40


def test_generation_metrics_perfect_and_wrong():
    refs = ["the cat sat on the mat today", "a dog ran in the park at noon"]
    same = generation_metrics([" " + refs[0] + " ", refs[1]], refs)  # outer spaces ignored
    assert same["exact_match"] == 100.0 and same["rougeL"] == pytest.approx(100.0)
    assert same["bleu"] == pytest.approx(100.0) and same["chrf"] == pytest.approx(100.0)
    wrong = generation_metrics(["dog"], ["the cat sat"])
    assert wrong["exact_match"] == 0.0 and wrong["rougeL"] == 0.0
    half = generation_metrics(["a", "x"], ["a", "b"])
    assert half["exact_match"] == 50.0
    assert generation_metrics([], []) == {}


def test_chinese_text_is_scored_per_character():
    m = generation_metrics(["今天天气很好"], ["今天天气不错"])
    assert 0 < m["rougeL"] < 100  # 4 of 6 characters in common, not 0 as whole-word scoring
    assert m["rougeL"] == pytest.approx(100 * 4 / 6)
    assert m["bleu"] > 0
