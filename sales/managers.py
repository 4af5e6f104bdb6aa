"""The managers' table on Monday: per lead owner, their open leads, overdue follow-ups, stuck leads and the
current quarter's weighted forecast against their own target.

Rules (README: Targets, and what moved since last week): an owner is the owner name the leads carry
(leads without one are listed as "(no owner)"); the owners listed are those asked for, else everyone
with an open lead or a target for the quarter. Overdue and stuck are exactly what This week lists for
that owner (``attention.followups``, ``attention.stuck_counts``); the forecast is ``forecast.quarter_total``
of the owner's leads, in the reporting currency (what has no rate is named, not added); the target is
the owner's own (``targets.owner_targets``), none when not set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from sales.attention import OVERDUE, followups, stuck_counts
from sales.changes import LEAD_STATE, reads
from sales.filters import Filters, quarter_of
from sales.forecast import NO_OWNER, converted, forecast, quarter_total, win_probabilities
from sales.money import default_currencies
from sales.movement import Movement, movement
from sales.targets import owner_targets

COLUMNS = ["owner", "open_leads", "overdue", "stuck", "forecast", "target", "forecast_minus_target",
           "share_of_target", "currency", "not_converted"]


def _open_per_owner(cur: duckdb.DuckDBPyConnection, owners: tuple[str, ...]) -> dict[str, int]:
    rows = cur.execute("""SELECT coalesce(owner, ?), count(*) FROM leads WHERE status = 'open'
                          AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], owner)) GROUP BY ALL""",
                       [NO_OWNER, list(owners), list(owners)]).fetchall()
    return dict(rows)


@reads(*LEAD_STATE, "stage_events", "lead_contacts", "sales_targets")
def owner_table(cur: duckdb.DuckDBPyConnection, today: date, owners: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per owner (``owners``, else everyone with an open lead or a target this quarter), by name."""
    quarter, currencies = quarter_of(today), default_currencies()
    f = Filters.everything(owners=tuple(owners))
    months = converted(forecast(cur, f, win_probabilities(cur)))
    due = followups(cur, f, today)
    overdue = due[due["state"] == OVERDUE]["owner"].fillna(NO_OWNER).value_counts().to_dict() if len(due) else {}
    open_leads = _open_per_owner(cur, tuple(owners))
    targets, _ = owner_targets(cur, quarter, currencies)
    names = list(owners) if owners else sorted(set(open_leads) | set(targets), key=lambda o: (o == NO_OWNER, o))
    stuck_of = stuck_counts(cur, Filters.everything(), today)  # every owner's, in one pass
    named_stuck = {o: stuck_of.get(o, 0) for o in names if o != NO_OWNER}
    rows = []
    for o in names:
        if o == NO_OWNER:  # listed only with every owner: everyone's stuck leads less the named owners'
            stuck = sum(stuck_of.values()) - sum(named_stuck.values())
        else:
            stuck = named_stuck[o]
        mine = months[months["owner"] == o] if len(months) else months
        q = quarter_total(mine, quarter, currencies)
        target = targets.get(o)
        rows.append({"owner": o, "open_leads": int(open_leads.get(o, 0)), "overdue": int(overdue.get(o, 0)),
                     "stuck": int(stuck), "forecast": q["total"], "target": target,
                     "forecast_minus_target": None if target is None else q["total"] - target,
                     "share_of_target": q["total"] / target if target else None, "currency": currencies.reporting,
                     "not_converted": ", ".join(f"{v:,.0f} {k}" for k, v in q["unconverted"].items())})
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass(frozen=True)
class Monday:
    """What the managers' digest adds to This week: the per-owner table and what moved in the last seven days."""

    owners: pd.DataFrame  # owner_table
    moved: Movement  # from six days before today to today, every open lead (no close window)


def monday(cur: duckdb.DuckDBPyConnection, today: date) -> Monday:
    return Monday(owner_table(cur, today), movement(cur, today - timedelta(days=6), today))
