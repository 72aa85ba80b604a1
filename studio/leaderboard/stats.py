"""The statistics of the leaderboard, from scipy: a bootstrap interval for one run's score, a
paired bootstrap interval for the difference of two runs on the same rows (generation), and
McNemar's exact test with its matching interval for two classifiers.

Scores are per validation row (1/0 for a right/wrong label, a sentence chrF for generated
text), so a run's score is their mean and every interval is over the rows it was measured on.
The resampling is seeded: the same runs always get the same interval.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 0
BCA_MAX_ROWS = 2000
BATCH = 250


@dataclass
class Interval:
    """A mean and its confidence interval (low, high); n rows it came from."""
    value: float
    low: float | None
    high: float | None
    n: int


def bootstrap_ci(values, confidence: float = CONFIDENCE, resamples: int = RESAMPLES,
                 seed: int = SEED) -> Interval:
    """The mean of `values` with a bootstrap (BCa; percentile for large sets) interval.

    Right/wrong rows (1/0) that are all right or all wrong have no spread to resample, and the
    bootstrap would say "100.0 - 100.0" for 49 of 49: those get the exact (Clopper-Pearson)
    interval of a proportion instead (92.7 - 100 for 49 of 49). Other rows that are all equal
    (or one row) keep the value itself (n tells how little that means); no row at all gives
    value nan."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return Interval(float("nan"), None, None, 0)
    if np.all(x == x[0]) and x[0] in (0.0, 1.0):
        return clopper_pearson(int(x.sum()), int(x.size), confidence)
    return _mean_interval(x, confidence, resamples, seed)


def clopper_pearson(right: int, n: int, confidence: float = CONFIDENCE) -> Interval:
    """The share right/n with its exact binomial (Clopper-Pearson) interval."""
    from scipy.stats import binomtest
    ci = binomtest(right, n).proportion_ci(confidence_level=confidence, method="exact")
    return Interval(right / n, float(ci.low), float(ci.high), n)


def _mean_interval(x: np.ndarray, confidence: float, resamples: int, seed: int) -> Interval:
    mean = float(x.mean())
    if x.size < 2 or np.all(x == x[0]):
        return Interval(mean, mean, mean, int(x.size))
    low, high = _bootstrap(x, confidence, resamples, seed)
    return Interval(mean, low, high, int(x.size))


def paired_difference(a, b, confidence: float = CONFIDENCE, resamples: int = RESAMPLES,
                      seed: int = SEED) -> Interval:
    """mean(a - b) over paired rows with a paired bootstrap interval: rows are resampled
    together, so what both runs find hard does not widen the interval."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired scores need the same rows on both sides")
    if a.size == 0:
        return Interval(float("nan"), None, None, 0)
    return _mean_interval(a - b, confidence, resamples, seed)  # a difference, not a share


def _bootstrap(x: np.ndarray, confidence: float, resamples: int, seed: int):
    from scipy import stats
    rng = np.random.default_rng(seed)
    # BCa's jackknife costs n^2: beyond BCA_MAX_ROWS rows the percentile interval (the same
    # to the shown decimal at that size) keeps a 20,000-row validation set instant. `batch`
    # bounds the memory to BATCH x n numbers.
    method = "BCa" if x.size <= BCA_MAX_ROWS else "percentile"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about nearly-degenerate samples
        result = stats.bootstrap((x,), np.mean, confidence_level=confidence,
                                 n_resamples=resamples, method=method, random_state=rng,
                                 vectorized=True, batch=BATCH)
        low, high = result.confidence_interval
        if not (np.isfinite(low) and np.isfinite(high)):
            # BCa needs a jackknife with spread; a sample with a single odd row has none.
            result = stats.bootstrap((x,), np.mean, confidence_level=confidence,
                                     n_resamples=resamples, method="percentile",
                                     random_state=np.random.default_rng(seed), vectorized=True,
                                     batch=BATCH)
            low, high = result.confidence_interval
    return float(low), float(high)


@dataclass
class McNemar:
    """Discordant rows: a_only (A right, B wrong), b_only (A wrong, B right); the exact p; the
    accuracy difference A - B (a proportion) with its exact conditional interval."""
    a_only: int
    b_only: int
    p_value: float
    diff: Interval


def mcnemar_exact(a_right, b_right, confidence: float = CONFIDENCE) -> McNemar:
    """McNemar's exact test of two classifiers on the same rows: under "equally good" each row
    that only one of them gets right is a fair coin's toss, so the count of A's wins among
    those m rows is Binomial(m, 1/2) (scipy.stats.binomtest, two-sided).

    The interval of the difference comes from the same binomial: with pi the share of A's
    wins among the discordant rows (Clopper-Pearson interval), the difference over all n rows
    is (m / n) (2 pi - 1). It excludes 0 exactly when the test rejects, so the sentence never
    calls a gap "not significant" next to an interval that says otherwise (a bootstrap of a
    few discordant rows can)."""
    from scipy.stats import binomtest
    a, b = np.asarray(a_right, dtype=bool), np.asarray(b_right, dtype=bool)
    a_only, b_only = int(np.sum(a & ~b)), int(np.sum(~a & b))
    m, n = a_only + b_only, int(a.size)
    if m == 0:
        return McNemar(0, 0, 1.0, Interval(0.0, 0.0, 0.0, n))
    test = binomtest(a_only, m, 0.5, alternative="two-sided")
    ci = test.proportion_ci(confidence_level=confidence, method="exact")
    scale = m / n
    diff = Interval((a_only - b_only) / n, scale * (2 * ci.low - 1), scale * (2 * ci.high - 1), n)
    return McNemar(a_only, b_only, min(float(test.pvalue), 1.0), diff)
