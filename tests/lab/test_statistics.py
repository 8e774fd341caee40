"""lab/report.py's Welch t-test, checked against printed tables and closed forms.

SciPy is not one of the book's libraries, so the report computes Student's t
distribution itself, from the regularized incomplete beta function. These tests
compare it with values that do not come from that code: the two-sided 5 %
critical values of printed t tables, the closed forms of the t distribution
with 1, 2 and 4 degrees of freedom, simple cases of the incomplete beta, and a
numerical integral of the t density for degrees of freedom that are not whole
numbers, which Welch's test needs.
"""

import math
import random
import re
import statistics

import pytest

from lab.config import REPOSITORY, Experiment
from lab.report import (
    SIGNIFICANCE,
    regularized_incomplete_beta,
    t_quantile,
    t_two_sided_p,
    welch,
)

PROSE = re.sub(r"\s+", " ", (REPOSITORY / "docs" / "lab.md").read_text())
SEEDS = len(Experiment().seeds)  # the committed sweep's

# two-sided 5 % critical values t(0.975, df), as printed in t tables
# (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2)
T_TABLE = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    10: 2.228,
    20: 2.086,
    30: 2.042,
    100: 1.984,
}
# one-sided 5 % critical values t(0.95, df), from the same tables
T_TABLE_ONE_SIDED = {1: 6.314, 2: 2.920, 4: 2.132, 10: 1.812}


@pytest.mark.parametrize("df", sorted(T_TABLE))
def test_the_t_distribution_matches_printed_tables(df):
    assert t_two_sided_p(T_TABLE[df], df) == pytest.approx(0.05, abs=2e-4)
    assert t_quantile(0.975, df) == pytest.approx(T_TABLE[df], abs=1e-3)


@pytest.mark.parametrize("df", sorted(T_TABLE_ONE_SIDED))
def test_one_sided_table_values(df):
    assert t_two_sided_p(T_TABLE_ONE_SIDED[df], df) == pytest.approx(0.10, abs=2e-4)
    assert t_quantile(0.95, df) == pytest.approx(T_TABLE_ONE_SIDED[df], abs=1e-3)


@pytest.mark.parametrize("t", [0.0, 0.3, 1.0, 2.5, 7.0, 40.0])
def test_the_t_distribution_matches_its_closed_forms(t):
    # df = 1 (Cauchy): P(|T| ≥ t) = 1 − 2 atan(t) / π
    assert t_two_sided_p(t, 1) == pytest.approx(1 - 2 * math.atan(t) / math.pi)
    # df = 2: P(|T| ≥ t) = 1 − t / √(2 + t²)
    assert t_two_sided_p(t, 2) == pytest.approx(1 - t / math.sqrt(2 + t * t))
    # df = 4: P(|T| ≥ t) = 1 − (3/2) x + (1/2) x³ with x = t / √(4 + t²)
    x = t / math.sqrt(4 + t * t)
    assert t_two_sided_p(t, 4) == pytest.approx(1 - 1.5 * x + 0.5 * x**3)
    # many degrees of freedom: the normal distribution's tail, erfc(t / √2)
    assert t_two_sided_p(t, 1e7) == pytest.approx(math.erfc(t / math.sqrt(2)), abs=1e-6)


def t_density(x: float, df: float) -> float:
    front = math.lgamma((df + 1) / 2) - math.lgamma(df / 2)
    return (
        math.exp(front) / math.sqrt(df * math.pi) * (1 + x * x / df) ** (-(df + 1) / 2)
    )


def integrated_two_sided_p(t: float, df: float) -> float:
    """1 − ∫_{−t}^{t} density, by Simpson's rule on a fine grid."""
    steps = 20_000
    h = t / steps
    total = t_density(0, df) + t_density(t, df)
    total += sum((4 if i % 2 else 2) * t_density(i * h, df) for i in range(1, steps))
    return 1 - 2 * total * h / 3


@pytest.mark.parametrize(
    ("t", "df"), [(1.3, 2.55), (2.46, 3.55), (3.39, 3.98), (5.0, 2.06)]
)
def test_fractional_degrees_of_freedom_match_the_integrated_density(t, df):
    assert t_two_sided_p(t, df) == pytest.approx(
        integrated_two_sided_p(t, df), abs=1e-7
    )


def test_the_incomplete_beta_in_simple_cases():
    for x in (0.0, 0.1, 0.5, 0.77, 1.0):
        assert regularized_incomplete_beta(1, 1, x) == pytest.approx(x)
        assert regularized_incomplete_beta(3, 1, x) == pytest.approx(x**3)
        assert regularized_incomplete_beta(1, 2.5, x) == pytest.approx(
            1 - (1 - x) ** 2.5
        )
        # symmetry: I_x(a, b) = 1 − I_{1−x}(b, a)
        assert regularized_incomplete_beta(2.3, 0.5, x) == pytest.approx(
            1 - regularized_incomplete_beta(0.5, 2.3, 1 - x)
        )
    with pytest.raises(ValueError):
        regularized_incomplete_beta(0, 1, 0.5)


def test_welch_by_hand():
    """Two samples whose t and degrees of freedom are worked out on paper."""
    first, second = [1.0, 2.0, 3.0], [4.0, 6.0, 8.0]
    # variances 1 and 4, standard errors² 1/3 and 4/3: SE of the difference √(5/3)
    result = welch(first, second)
    assert result.difference == -4
    assert result.standard_error == pytest.approx(math.sqrt(5 / 3))
    assert result.t == pytest.approx(-4 / math.sqrt(5 / 3))
    # (1/3 + 4/3)² / ((1/3)²/2 + (4/3)²/2) = (25/9) / (17/18) = 50/17
    assert result.df == pytest.approx(50 / 17)
    margin = t_quantile(0.975, 50 / 17) * math.sqrt(5 / 3)
    assert (result.low, result.high) == pytest.approx((-4 - margin, -4 + margin))
    # equal spreads: Welch's t is Student's pooled t, with 2n − 2 degrees of freedom
    equal = welch([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert equal.df == pytest.approx(4) and equal.t == pytest.approx(-math.sqrt(3 / 2))


@pytest.mark.parametrize("n", [3, 5])
def test_p_below_005_is_the_95_percent_interval_excluding_0(n):
    generator = random.Random(n)
    for _ in range(300):
        first = [generator.gauss(0, generator.uniform(0.1, 2)) for _ in range(n)]
        second = [generator.gauss(1, generator.uniform(0.1, 2)) for _ in range(n)]
        result = welch(first, second)
        excludes_zero = result.low > 0 or result.high < 0
        assert (result.p < SIGNIFICANCE) == excludes_zero
        # Welch's degrees of freedom lie between n − 1 and 2n − 2 for two samples
        # of n ('between 4 and 8 for two configurations of 5 seeds')
        assert n - 1 - 1e-9 <= result.df <= 2 * n - 2 + 1e-9


def test_the_pages_threshold_of_23_to_28_standard_errors():
    """'with 5 seeds each, a difference passes only when it is more than 2.3 to
    2.8 times its standard error, depending on the two spreads': df runs from
    4 to 8."""
    assert f"{t_quantile(0.975, 8):.1f}" == "2.3"
    assert f"{t_quantile(0.975, 4):.1f}" == "2.8"
    assert "more than 2.3 to 2.8 times its standard error" in PROSE
    assert "which lies between 4 and 8 for two configurations of 5 seeds" in PROSE
    # "the fewer its degrees of freedom ..., the more often luck alone gives a
    # large t": the tail beyond a fixed t shrinks as the degrees of freedom grow
    tails = [t_two_sided_p(2.5, df) for df in (1, 2, 3, 4, 10, 100)]
    assert tails == sorted(tails, reverse=True)
    # 'less than the 1.96 that even a t-test with unlimited degrees of freedom
    # would need for p < 0.05'
    assert f"{t_quantile(0.975, 1e9):.2f}" == "1.96"


def test_one_seed_or_no_spread():
    assert welch([0.9], [0.8, 0.85]) is None  # one seed: nothing to test
    same = welch([0.5, 0.5], [0.5, 0.5])
    assert same.p == 1 and not same.different
    apart = welch([0.5, 0.5], [0.6, 0.6])
    assert apart.p == 0 and apart.different


def test_the_standard_error_is_the_deviation_over_root_n():
    values = [0.953, 0.950, 0.953]
    result = welch(values, values)
    assert result.standard_error == pytest.approx(
        math.sqrt(2) * statistics.stdev(values) / math.sqrt(3)
    )


def test_holm_passes_the_smallest_p_values_while_each_beats_its_share():
    from lab.report import holm

    # the page's made-up example: 0.004 < 0.05/3, then 0.03 is not below 0.05/2
    assert holm([0.004, 0.03, 0.2]) == [True, False, False]
    assert holm([0.2, 0.004, 0.02]) == [False, True, True]  # 0.02 < 0.05/2
    assert holm([0.01, 0.04]) == [True, True]  # 0.01 < 0.025, 0.04 < 0.05
    assert holm([0.028]) == [True]  # one comparison: the plain rule
    assert holm([]) == []


def test_truly_equal_pairs_of_five_seeds_pass_between_4_4_and_5_4_percent_of_the_time():
    """'of pairs that are truly equal, about one in twenty passes it by luck
    (with 5 seeds, between about 4.4 % and 5.4 % of them, depending on how the two
    spreads compare)': Welch's test on normal samples of 5 with equal means."""
    import numpy as np

    from lab.report import t_two_sided_p

    rng = np.random.default_rng(2026)
    rates = {}
    for ratio in (1, 4, 10, 25, 100):  # ratio of the two variances
        n = 20_000
        a = rng.standard_normal((n, SEEDS))
        b = rng.standard_normal((n, SEEDS)) * math.sqrt(ratio)
        va, vb = a.var(axis=1, ddof=1) / SEEDS, b.var(axis=1, ddof=1) / SEEDS
        t = (a.mean(axis=1) - b.mean(axis=1)) / np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (SEEDS - 1) + vb**2 / (SEEDS - 1))
        rates[ratio] = np.mean(
            [t_two_sided_p(ti, di) < 0.05 for ti, di in zip(t, df, strict=True)]
        )
    # the standard error of each rate is about 0.0015
    assert 0.042 <= min(rates.values()) < 0.047, rates  # about 4.4 %
    assert 0.052 <= max(rates.values()) < 0.057, rates  # about 5.4 %
    assert "with 5 seeds, between about 4.4 % and 5.4 % of them" in PROSE


def test_seven_equal_pairs_give_at_least_one_pass_about_30_percent_of_the_time():
    assert f"{1 - 0.95**7:.0%}" == "30%"


def test_the_t_threshold_falls_towards_196_as_the_degrees_of_freedom_grow():
    """'the same t_quantile(0.975, df) as above gives 2.8 for 4 degrees of
    freedom, and falls towards 1.96 as they grow'."""
    thresholds = [t_quantile(0.975, df) for df in (4, 10, 100, 1000, 1e6)]
    assert f"{thresholds[0]:.1f}" == "2.8"
    assert thresholds == sorted(thresholds, reverse=True)
    assert thresholds[-1] == pytest.approx(1.96, abs=1e-4)


def test_welchs_95_percent_interval_covers_the_true_difference_about_95_times_in_100():
    """'(the range that, over many repeated experiments, would contain the true
    difference about 95 times in 100)': Welch's interval with 3 + 3 normal seeds
    and a true difference of 1 is approximate, covering it between about 94 and
    97 times in 100 depending on the spreads, not exactly 95."""
    import numpy as np

    from lab.report import t_two_sided_p

    rng = np.random.default_rng(95)
    coverage = {}
    for ratio in (1, 100):  # ratio of the two variances
        n = 4_000
        a = 1.0 + rng.standard_normal((n, 3))
        b = rng.standard_normal((n, 3)) * math.sqrt(ratio)
        va, vb = a.var(axis=1, ddof=1) / 3, b.var(axis=1, ddof=1) / 3
        difference, error = a.mean(axis=1) - b.mean(axis=1), np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 2)
        # the interval contains 1 exactly when the t of (difference − 1) has
        # p >= 0.05 (test_p_below_005_is_the_95_percent_interval_excluding_0)
        t = (difference - 1.0) / error
        coverage[ratio] = float(
            np.mean(
                [t_two_sided_p(ti, di) >= 0.05 for ti, di in zip(t, df, strict=True)]
            )
        )
    # the standard error of each share is about 0.0035
    assert all(0.935 <= c <= 0.975 for c in coverage.values()), coverage
    assert coverage[1] > 0.955, coverage  # equal spreads: clearly more than 95


def test_the_mean_of_networks_on_the_same_digits_varies_no_more_than_one():
    """'for one network (the mean of five networks measured on the same digits
    varies a little less, as they err on partly different digits)': five
    networks that share some of their errors, measured on the same digits."""
    import numpy as np

    rng = np.random.default_rng(7)
    digits, networks, p_error, trials = 10_000, 5, 0.0214, 400
    one, mean = [], []
    for _ in range(trials):
        hard = rng.random(digits) < p_error  # digits every network gets wrong
        wrong = hard | (rng.random((networks, digits)) < 0.5 * p_error)
        accuracy = 1 - wrong.mean(axis=1)
        one.append(accuracy[0])
        mean.append(accuracy.mean())
    assert np.std(mean) < np.std(one)
    p = 1 - np.mean(one)
    assert np.std(one) == pytest.approx(math.sqrt(p * (1 - p) / digits), rel=0.15)
    assert (
        "the mean of five networks measured on the same digits varies a little less"
        in PROSE
    )
