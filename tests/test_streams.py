"""Counter-based random streams: uniformity, independence, batch invariance, Poisson law."""

import numpy as np
from scipy import stats

from simteam.streams import Streams, poisson_inverse


def test_uniform_is_uniform_and_open():
    u = Streams(np.arange(4)).uniform("x", 3, (50_000,))
    assert u.min() > 0 and u.max() < 1
    for row in u:
        assert stats.kstest(row, "uniform").pvalue > 1e-4


def test_rows_depend_only_on_their_seed():
    big = Streams(np.array([5, 9, 11])).uniform("quit", 7, (12,))
    alone = Streams(np.array([9])).uniform("quit", 7, (12,))
    np.testing.assert_array_equal(big[1], alone[0])


def test_decisions_weeks_and_seats_are_independent():
    s = Streams(np.array([1]))
    a = s.uniform("quit", 1, (10_000,))[0]
    b = s.uniform("hire", 1, (10_000,))[0]
    c = s.uniform("quit", 2, (10_000,))[0]
    for x, y in ((a, b), (a, c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 0.04
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.04


def test_same_draw_whatever_else_was_drawn_before():
    s1 = Streams(np.array([3]))
    first = s1.normal("market", 4, (3,))
    s2 = Streams(np.array([3]))
    s2.uniform("quit", 4, (100,))
    s2.normal("mood", 4, (7,))
    np.testing.assert_array_equal(first, s2.normal("market", 4, (3,)))


def test_poisson_matches_its_law():
    rng = np.random.default_rng(0)
    for lam in (0.3, 2.5, 17.0, 90.0):
        k = poisson_inverse(rng.random(200_000), np.full(200_000, lam))
        assert abs(k.mean() - lam) < 0.02 * lam + 0.01
        assert abs(k.var() - lam) < 0.05 * lam + 0.02
    k = poisson_inverse(rng.random(100_000), np.full(100_000, 2.5))
    counts = np.bincount(k.astype(int), minlength=12)[:12]
    expected = stats.poisson.pmf(np.arange(12), 2.5) * 100_000
    assert stats.chisquare(counts[:9], expected[:9] * counts[:9].sum() / expected[:9].sum()).pvalue > 1e-3
