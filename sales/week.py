"""The Monday questions in one place, for the This week page and the weekly digest alike: whom to
contact, what is stuck, what to re-score, the quarter's forecast against its target, and what changed
over the last seven days. Both read the same ``Week``, so the mail says what the page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from sales import access
from sales.attention import OVERDUE, THIS_WEEK, TODAY, changes, followups, stuck_leads, to_rescore
from sales.changes import LEAD_STATE, reads
from sales.filters import Filters, quarter_of
from sales.forecast import converted, forecast, quarter_total, win_probabilities
from sales.targets import target_for

SHOWN = 20  # rows per list in the digest; the page shows more, and its downloads all
STUCK_LISTED = 100  # the longest-stuck leads listed with what their gate lacks (all are counted)


@dataclass(frozen=True)
class Week:
    today: date
    owners: tuple[str, ...]  # whose leads; empty: everyone's
    followups: pd.DataFrame
    stuck: pd.DataFrame  # the longest stuck first, at most STUCK_LISTED
    stuck_total: int
    rescore: pd.DataFrame
    quarter: dict  # quarter_total of the current quarter
    changes: dict
    forecast: pd.DataFrame  # per owner, expected close month, currency and tier, also converted
    probabilities: pd.DataFrame  # the win probabilities it used

    def counts(self) -> dict[str, int]:
        states = self.followups["state"].value_counts().to_dict() if len(self.followups) else {}
        return {OVERDUE: int(states.get(OVERDUE, 0)), TODAY: int(states.get(TODAY, 0)),
                THIS_WEEK: int(states.get(THIS_WEEK, 0)), "stuck": self.stuck_total, "to re-score": len(self.rescore)}


@reads(*LEAD_STATE, "stage_events", "lead_contacts", "sales_targets", "import_batches")
def this_week(cur: duckdb.DuckDBPyConnection, today: date, owners: tuple[str, ...] = ()) -> Week:
    """Everything the page and the digest show, for ``owners``' leads (everyone's when empty)."""
    f = Filters.everything(owners=tuple(owners))
    probabilities = win_probabilities(cur)
    months = converted(forecast(cur, f, probabilities))
    stuck, total = stuck_leads(cur, f, today, limit=STUCK_LISTED)
    quarter = quarter_of(today)
    return Week(today, tuple(owners), followups(cur, f, today), stuck, total, to_rescore(cur, f, today),
                quarter_total(months, quarter, target=target_for(cur, quarter, tuple(owners))),
                changes(cur, f, today), months, probabilities)


def own_leads(cur: duckdb.DuckDBPyConnection, who: access.Actor) -> tuple[str, ...]:
    """Whose leads a person sees by default, on the This week page and in their weekly digest alike: their own
    (the lead owner name an admin recorded for them) when they may work leads and have such a name; for anyone
    else, nobody's in particular (): everyone's, and they choose owners themselves."""
    if not who.may("work_lead"):
        return ()
    name = access.crm_owner(cur, who.identity)
    return (name,) if name else ()


def owner_names(cur: duckdb.DuckDBPyConnection, email: str) -> tuple[str, ...]:
    """The lead owner a signed-in person is in the CRM: the name an admin recorded for them, else
    their email (HubSpot and others can export owners as emails)."""
    name = access.crm_owner(cur, email)
    return (name,) if name else (email,)
