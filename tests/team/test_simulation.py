"""The Monte Carlo: a two-lead case worked out exactly, its mean against the expected sum, the order of its
quantiles, its seed, and the sparse and pooled ways it takes for unlikely leads and large pipelines."""

import numpy as np
import pytest

from sales.team.simulation import quantiles, simulate

EXACT, POOLED = 20_000_000, 1024


def run(p, values, cells=None, count=1, draws=10_000, seed=24, exact=EXACT):
    cells = np.zeros(len(p), dtype=int) if cells is None else np.asarray(cells)
    return simulate(np.asarray(p, float), np.asarray(values, float), cells, count, draws, seed, exact, POOLED)


def test_two_leads_worked_out_exactly():
    """A: 100 h won with 0.8; B: 40 h won with 0.3, independently. Outcomes: 0 with 0.2 × 0.7 = 0.14, 40 with
    0.2 × 0.3 = 0.06 (cumulative 0.20), 100 with 0.8 × 0.7 = 0.56 (0.76), 140 with 0.24 (1). P10 is the first
    outcome reaching 0.1: 0; P50: 100; P90: 140. The mean is 80 + 12 = 92; each outcome's share is within a few
    standard errors (√(p(1-p)/10,000) < 0.005) of its probability."""
    out = run([0.8, 0.3], [100, 40]).sums[0][:, 0]
    assert quantiles(out.reshape(-1, 1)).ravel().tolist() == [0, 100, 140]
    shares = {v: np.mean(out == v) for v in (0, 40, 100, 140)}
    assert shares == pytest.approx({0: 0.14, 40: 0.06, 100: 0.56, 140: 0.24}, abs=0.02)
    assert out.mean() == pytest.approx(92, rel=0.02)
    assert set(np.unique(out)) == {0, 40, 100, 140}


def test_the_same_seed_gives_the_same_draws_and_another_seed_others():
    a, b, other = run([0.5] * 50, range(50)), run([0.5] * 50, range(50)), run([0.5] * 50, range(50), seed=7)
    assert np.array_equal(a.sums[0], b.sums[0]) and not np.array_equal(a.sums[0], other.sums[0])


def _pipeline(n: int, cells: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    p = rng.choice([0.00005, 0.05, 0.15, 0.3, 0.5, 0.8, 1.0], n)
    hours = rng.uniform(10, 400, n)
    return p, np.c_[hours, hours * 125], rng.integers(0, cells, n)


@pytest.mark.parametrize("n, pooled", [(400, False), (40_000, True)])
def test_the_mean_is_the_expected_sum_within_one_percent(n, pooled):
    p, values, cells = _pipeline(n, 60)
    out = run(p, values, cells, 60)
    assert out.pooled is pooled and out.draws == 10_000 and out.sums[0].shape == (10_000, 60)
    for k in range(2):
        simulated = out.sums[k].sum(axis=1).mean()
        assert simulated == pytest.approx((p * values[:, k]).sum(), rel=0.01)
    per_cell = out.sums[0].mean(axis=0)
    expected = np.bincount(cells, weights=p * values[:, 0], minlength=60)
    assert np.abs(per_cell.sum() - expected.sum()) / expected.sum() < 0.01
    q = quantiles(out.sums[0])
    assert (q[0] <= q[1]).all() and (q[1] <= q[2]).all()


def test_pooled_draws_keep_each_lead_independent_within_a_draw():
    """Above the exact size, a cell of one lead keeps its Bernoulli outcome: the share of draws winning it is its
    probability, and two one-lead cells are won together as often as the product of their probabilities."""
    out = run([0.3, 0.6], [1, 1], cells=[0, 1], count=2, exact=0)
    assert out.pooled
    a, b = out.sums[0][:, 0] > 0, out.sums[0][:, 1] > 0
    assert (a.mean(), b.mean(), (a & b).mean()) == pytest.approx((0.3, 0.6, 0.18), abs=0.04)


def test_unlikely_leads_are_drawn_sparsely_and_exactly():
    # 2,000 leads each won about once in 10,000 draws: 0.2 wins a draw on average (2,000 in all)
    wins = run([1e-4] * 2000, np.ones(2000)).sums[0][:, 0]
    assert wins.sum() == pytest.approx(2000, rel=0.1)
    # a lead is won at most once in a draw: a lead of 7 h adds 0 or 7, never 14
    for seed in range(20):
        assert set(np.unique(run([1e-4] * 3, [7.0, 7.0, 7.0], seed=seed).sums[0][:, 0])) <= {0.0, 7.0, 14.0, 21.0}
        assert set(np.unique(run([3e-4], [7.0], seed=seed).sums[0][:, 0])) <= {0.0, 7.0}


def test_certain_and_impossible_leads():
    out = run([1.0, 0.0], [5, 9]).sums[0][:, 0]
    assert set(np.unique(out)) == {5.0}


def test_no_leads():
    out = run([], np.zeros((0, 2)), cells=np.zeros(0, dtype=int), count=0)
    assert out.sums[0].shape == (10_000, 0) and quantiles(out.sums[0]).shape == (3, 0)


@pytest.mark.parametrize("seed, pool", [(7, POOLED), (24, POOLED // 2)])
def test_a_simulation_from_an_earlier_one_of_another_seed_or_pool_is_a_fresh_one(seed, pool):
    """``earlier``'s cells are taken only as its seed and pool size drew them: from a simulation with seed 24 and
    1024 pooled outcomes, another seed or a smaller pool gives what a simulation without ``earlier`` gives (its
    picks would otherwise select from the wrong outcomes, or past the end of a smaller pool)."""
    p, values, cells = _pipeline(400, 3)
    earlier = simulate(p, values, cells, 3, 10_000, 24, 0, POOLED)
    fresh = simulate(p, values, cells, 3, 10_000, seed, 0, pool)
    again = simulate(p, values, cells, 3, 10_000, seed, 0, pool, earlier=earlier)
    assert earlier.pooled and again.pooled
    assert all(np.array_equal(a, b) for a, b in zip(again.sums, fresh.sums))
