"""Which open leads are won: a vectorised Monte Carlo (numpy) with a fixed seed, so the same store gives the same
figures.

In every draw each lead is won independently with its own probability. What a draw yields is, per cell (the
leads whose work starts on the same day, in the same currency), the sums of their values (hours, amount) over
the leads won. Up to ``exact_pairs`` lead × draw pairs every draw is simulated afresh. Above that, each cell
is simulated ``pooled_draws`` times and every draw takes, for each cell independently, one of those outcomes
at random: within a draw every lead is still won independently with its own probability and cells are
independent; draws share cell outcomes, which costs a little precision in the quantiles and keeps 100,000
leads within a fraction of a second.

Each cell's pooled outcomes come from a random stream of its own, seeded by the seed and what the cell holds (its
leads' probabilities and values), and its picks from one seeded by the seed and the cell's key: the same cell gives
the same figures in any pipeline, so a pipeline that differs from an earlier one in a few cells (a lead assessed,
a few leads imported) is simulated again for those cells only (``earlier``).

Leads so unlikely that they are expected to be won at most once in all the outcomes are drawn sparsely: how
many outcomes win them (binomial), then which ones (a uniform choice of that many distinct outcomes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

CHUNK_VALUES = 1 << 23  # uniforms generated at a time (32 MB of float32)


@dataclass(frozen=True)
class Outcome:
    sums: tuple[np.ndarray, ...]  # per value: draws × cells, the value summed over the cell's leads won
    draws: int
    pooled: bool  # cell outcomes pooled (see the module's docstring)
    # pooled: per cell key, what its leads hold (a digest) and its pooled outcomes (values × n): what a later
    # simulation takes as it is (its picks, seeded by the key alone, are drawn again: 40 KB a cell not kept)
    cells: dict = field(default_factory=dict, repr=False)


def simulate(p: np.ndarray, values: np.ndarray, cells: np.ndarray, count: int, draws: int, seed: int,
             exact_pairs: int, pooled_draws: int, keys: list | None = None, earlier: Outcome | None = None) -> Outcome:
    """``draws`` draws of the per-cell sums of ``values`` (leads × k) over the leads won, lead i won with
    probability ``p[i]``; ``cells[i]`` (0 .. count-1) is lead i's cell, ``keys[c]`` what names cell c from one
    pipeline to the next (default: its number). Pooled, a cell of ``earlier`` with the same key and leads is
    taken as it is."""
    p, values, cells = np.asarray(p, dtype=float), np.asarray(values, dtype=float), np.asarray(cells)
    values = values.reshape(len(p), -1) if values.ndim == 1 else values
    pooled = len(p) * draws > exact_pairs and pooled_draws < draws
    if not pooled:
        return Outcome(tuple(_outcomes(np.random.default_rng(seed), p, values, cells, count, draws)), draws, False)
    n, keys, k = pooled_draws, list(range(count)) if keys is None else keys, values.shape[1]
    held = earlier.cells if earlier is not None and earlier.pooled and earlier.draws == draws else {}
    order = np.argsort(cells, kind="stable")  # each cell's leads side by side, in their order
    bounds = np.searchsorted(cells[order], np.arange(count + 1))
    sums = tuple(np.empty((draws, count), order="F") for _ in range(k))  # a cell's draws side by side
    kept = {}
    for c, key in enumerate(keys):
        mine = order[bounds[c]:bounds[c + 1]]
        digest = _digest(seed, n, p[mine], values[mine])
        was = held.get(key)
        pool = was[1] if was is not None and was[0] == digest else _cell(
            np.random.default_rng([seed, digest]), p[mine], values[mine], n)
        pick = np.random.default_rng([seed, _digest(seed, n, repr(key))]).integers(0, n, size=draws, dtype=np.int32)
        kept[key] = (digest, pool)  # each draw above took one of the cell's pooled outcomes (pick)
        for j in range(k):
            sums[j][:, c] = pool[j][pick]
    return Outcome(sums, draws, True, kept)


def _cell(rng: np.random.Generator, p: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``n`` independent outcomes of one cell's sums (values × n), as ``_outcomes`` makes them for many cells."""
    sums = np.zeros((values.shape[1], n))
    certain, rare = p >= 1.0, p * n <= 1.0
    sums += values[certain].sum(axis=0)[:, None]
    unlikely = rare & (p > 0)
    if unlikely.any():
        _sparse(rng, p[unlikely], values[unlikely], np.zeros(int(unlikely.sum()), dtype=np.intp), sums[:, :, None])
    dense = np.flatnonzero(~rare & ~certain)
    for lo, hi, won in _wins(rng, p[dense], n):
        sums += (won @ values[dense[lo:hi]]).T
    return sums


def _wins(rng: np.random.Generator, p: np.ndarray, n: int):
    """Whether each of the leads (probabilities ``p``, in this order) is won in each of ``n`` outcomes, a chunk of
    leads at a time: (first, end, outcomes × leads[first:end]). Won when a uniform 32-bit number is below
    p × 2^32 (p to within 2.3e-10)."""
    limit, step = (p * 2.0**32).astype(np.uint32), max(2, CHUNK_VALUES // n // 2 * 2)
    for lo in range(0, len(p), step):
        hi = min(len(p), lo + step)
        size = n * (hi - lo)
        yield lo, hi, rng.bit_generator.random_raw((size + 1) // 2).view(np.uint32)[:size].reshape(n, hi - lo) < \
            limit[lo:hi]


def _digest(seed: int, n: int, *parts) -> int:
    """A 64-bit number for what seeds a cell's random stream (the same parts, the same number in any process)."""
    h = hashlib.blake2b(repr((seed, n)).encode(), digest_size=8)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else np.ascontiguousarray(part).tobytes())
    return int.from_bytes(h.digest(), "little")


def _outcomes(rng: np.random.Generator, p: np.ndarray, values: np.ndarray, cells: np.ndarray, count: int,
              n: int) -> np.ndarray:
    """``n`` independent outcomes of every cell's sums (values × n × cells)."""
    sums = np.zeros((values.shape[1], n, count))
    certain, rare = p >= 1.0, p * n <= 1.0
    for k in range(values.shape[1]):  # a lead sure to be won is won in every outcome
        sums[k] += np.bincount(cells[certain], weights=values[certain, k], minlength=count)
    _sparse(rng, p[rare & (p > 0)], values[rare & (p > 0)], cells[rare & (p > 0)], sums)
    dense = np.flatnonzero(~rare & ~certain)
    order = dense[np.argsort(cells[dense], kind="stable")]  # each cell's leads side by side
    for lo, hi, won in _wins(rng, p[order], n):
        here = cells[order[lo:hi]]
        bounds = np.flatnonzero(np.r_[True, here[1:] != here[:-1]])
        for k in range(values.shape[1]):
            sums[k][:, here[bounds]] += np.add.reduceat(won * values[order[lo:hi], k].astype(np.float32), bounds,
                                                        axis=1)
    return sums


def _sparse(rng: np.random.Generator, p: np.ndarray, values: np.ndarray, cells: np.ndarray, sums: np.ndarray) -> None:
    """Add the rare leads' wins: per lead, how many of the n outcomes win it, then which (distinct) ones."""
    n = sums.shape[1]
    wins = rng.binomial(n, p)
    lead = np.repeat(np.arange(len(p)), wins)
    at = rng.integers(0, n, size=len(lead))
    while len(lead):  # a lead drawn twice in one outcome draws its outcomes again: distinct, uniformly chosen
        key = lead * n + at
        _, first, times = np.unique(key, return_index=True, return_counts=True)
        again = np.isin(lead, lead[first[times > 1]])
        if not again.any():
            break
        at[again] = rng.integers(0, n, size=int(again.sum()))
    for k in range(values.shape[1]):
        np.add.at(sums[k], (at, cells[lead]), values[lead, k])


def quantiles(samples: np.ndarray, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> np.ndarray:
    """Per column, the smallest simulated value at or above each share of the draws (an outcome that can
    happen, never a value between two)."""
    if samples.shape[0] == 0:
        return np.zeros((len(qs), samples.shape[1]))
    return np.quantile(samples, qs, axis=0, method="inverted_cdf")
