"""Sales velocity (sales/funnel.py) when a won lead's creation date is unknown: it counts as won and closed, and
its days to a win are left out of the average (as ``avg`` leaves out what it cannot know)."""

from datetime import date

import pytest

from sales.filters import Filters
from sales.funnel import velocity


def test_a_won_lead_without_a_creation_date_counts_but_has_no_days_to_win(store):
    """tests/pipeline_store.py, as the Funnel page test reads it: in 2026-Q2 Delta is won, 5,000 USD, 27 days after
    its creation; Alpha and Beta are qualified and open at the quarter's end. Beside it, a lead won on 1 May for
    3,000 USD whose creation date the CRM did not give: two won of two closed, 4,000 USD on average, still 27 days
    to a win: 2 × 4,000 × 100 % ÷ 27 a day."""
    from tests.pipeline_store import build

    build(store)
    with store.transaction() as cur:
        cur.execute("""INSERT INTO leads (id, source_system, external_id, name, owner, created_on, status, amount,
                       currency, closed_on) VALUES (99, 't', 'X-99', 'Undated', 'Ana', NULL, 'won', 3000, 'USD',
                       DATE '2026-05-01')""")
    q2 = velocity(store.cursor(), Filters.everything(), date(2026, 6, 30), quarters=2).set_index("quarter").loc[
        "2026-Q2"]
    assert (q2["qualified_open"], q2["win_rate"], q2["average_won"], q2["days_to_win"]) == (2, 1.0, 4000, 27)
    assert q2["velocity_per_day"] == pytest.approx(2 * 4000 / 27)
