"""Small statistics the dashboards need, kept exact and testable."""

from __future__ import annotations

import math


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion: honest for small counts, never outside 0..1."""
    if trials == 0:
        return (math.nan, math.nan)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


# the win rate, one definition: of the leads closed (won or lost) in a period, the share won
WON = "status = 'won'"
CLOSED = "status IN ('won', 'lost')"


def win_rate(won: int, closed: int) -> float | None:
    """Won over closed; None when nothing closed (no rate, rather than 0 %)."""
    return won / closed if closed else None
