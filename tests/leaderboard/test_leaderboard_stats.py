"""The leaderboard's statistics against values known without scipy: McNemar's exact p from
the binomial distribution written out, bootstrap intervals against the normal approximation."""
from __future__ import annotations

import math

import numpy as np
import pytest

from studio.leaderboard.stats import bootstrap_ci, mcnemar_exact, paired_difference


def exact_two_sided(b: int, c: int) -> float:
    """McNemar's exact p by hand: 2 * P(X <= min(b, c)), X ~ Binomial(b + c, 1/2)."""
    n = b + c
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def table(a_only: int, b_only: int, both: int, neither: int):
    a = [True] * a_only + [False] * b_only + [True] * both + [False] * neither
    b = [False] * a_only + [True] * b_only + [True] * both + [False] * neither
    return a, b


def test_mcnemar_exact_p_of_a_textbook_table():
    # 1 vs 9 discordant pairs: p = 2 * (1 + 10) / 1024 = 0.021484375.
    result = mcnemar_exact(*table(1, 9, 50, 40))
    assert (result.a_only, result.b_only) == (1, 9)
    assert result.p_value == pytest.approx(22 / 1024, abs=1e-12)


@pytest.mark.parametrize("b,c", [(10, 2), (7, 7), (0, 6), (25, 12), (0, 0)])
def test_mcnemar_matches_the_binomial_by_hand(b, c):
    expected = 1.0 if b + c == 0 else exact_two_sided(b, c)
    assert mcnemar_exact(*table(b, c, 30, 5)).p_value == pytest.approx(expected, rel=1e-9)


def test_bootstrap_interval_of_a_proportion_is_close_to_the_normal_one():
    x = np.array([1.0] * 700 + [0.0] * 300)
    ci = bootstrap_ci(x)
    half = 1.96 * math.sqrt(0.7 * 0.3 / 1000)          # Wald: 0.7 +- 0.0284
    assert ci.value == pytest.approx(0.7)
    assert ci.low == pytest.approx(0.7 - half, abs=0.006)
    assert ci.high == pytest.approx(0.7 + half, abs=0.006)
    assert ci.n == 1000
    assert bootstrap_ci(x) == ci  # seeded: the same runs always get the same interval


def test_paired_difference_interval_is_close_to_the_normal_one():
    rng = np.random.default_rng(1)
    a = rng.normal(60, 20, 800)
    b = a - 3 + rng.normal(0, 5, 800)       # b is 3 points worse, noisily, row by row
    d = a - b
    ci = paired_difference(a, b)
    half = 1.96 * d.std(ddof=1) / math.sqrt(len(d))
    assert ci.value == pytest.approx(d.mean())
    assert ci.low == pytest.approx(d.mean() - half, abs=0.05)
    assert ci.high == pytest.approx(d.mean() + half, abs=0.05)
    # Pairing is what makes it narrow: the unpaired spread of a alone is 4x wider.
    assert ci.high - ci.low < 2 * 1.96 * 20 / math.sqrt(800) / 3


def test_degenerate_samples():
    assert bootstrap_ci([0.5, 0.5]).low == 0.5 and bootstrap_ci([0.5, 0.5]).high == 0.5
    assert bootstrap_ci([0.5]).n == 1
    assert math.isnan(bootstrap_ci([]).value)
    with pytest.raises(ValueError):
        paired_difference([1, 2], [1])


@pytest.mark.heavy
def test_mcnemar_interval_is_clopper_pearson_by_hand_and_agrees_with_the_test():
    from scipy.stats import beta
    result = mcnemar_exact(*table(25, 5, 150, 20))          # n = 200 rows, m = 30 discordant
    # Clopper-Pearson for 25 of 30 from the beta quantiles (the textbook formula).
    low_pi, high_pi = beta.ppf(0.025, 25, 6), beta.ppf(0.975, 26, 5)
    assert result.diff.value == pytest.approx(20 / 200)
    assert result.diff.low == pytest.approx(30 / 200 * (2 * low_pi - 1), abs=1e-9)
    assert result.diff.high == pytest.approx(30 / 200 * (2 * high_pi - 1), abs=1e-9)
    for b in range(0, 16):
        for c in range(0, 16):
            if b + c == 0:
                continue
            r = mcnemar_exact(*table(b, c, 40, 10))
            assert (r.diff.low > 0 or r.diff.high < 0) == (r.p_value < 0.05), (b, c)


@pytest.mark.parametrize("right, n", [(49, 49), (0, 49), (3, 3), (1, 1)])
def test_all_right_or_all_wrong_gets_the_exact_interval_not_a_point(right, n):
    """49 of 49 right showed "100.0 - 100.0". Clopper-Pearson by hand: with all n
    right the lower end solves p^n = 0.025, so p = 0.025^(1/n) (0.9275 for 49); all wrong is
    its mirror, 1 - 0.025^(1/n)."""
    ci = bootstrap_ci([1] * right + [0] * (n - right))
    edge = 0.025 ** (1 / n)
    if right == n:
        assert (ci.value, ci.high) == (1.0, 1.0) and ci.low == pytest.approx(edge, abs=1e-6)
    else:
        assert (ci.value, ci.low) == (0.0, 0.0) and ci.high == pytest.approx(1 - edge, abs=1e-6)
    assert ci.n == n
    if n == 49:
        assert round(ci.low * 100, 1) == 92.7 or round(ci.high * 100, 1) == 7.3


def test_a_mixed_proportion_still_uses_the_bootstrap():
    ci = bootstrap_ci([1] * 48 + [0])
    assert ci.low < 48 / 49 < ci.high < 1.0 + 1e-9
