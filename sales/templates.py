"""The project's own canonical CSV layouts, built from the rubric and lifecycle so they never drift."""

from __future__ import annotations

import csv
import io

from sales.lifecycle import default_lifecycle
from sales.paths import DATA_DIR
from sales.rubric import default_rubric

TEMPLATE_DIR = DATA_DIR / "templates"
LEAD_BASICS = ("id", "name", "organisation", "owner", "source", "created_on", "stage", "status", "lost_reason",
               "amount", "currency", "closed_on", "expected_close", "modified_at", "pricing", "assessed_at",
               "assessed_by")
TIME_COLUMNS = ("date", "person", "hours", "billable", "client", "project", "account", "issue_key", "description",
                "start", "end")
BUDGET_COLUMNS = ("account", "effective_month", "monthly_hours", "fixed_total_hours", "hourly_rate", "currency",
                  "kind")


def leads_header() -> list[str]:
    keys = default_rubric().keys
    return [*LEAD_BASICS, *keys, *(f"{k}_comment" for k in keys), *default_lifecycle().facts]


def templates() -> dict[str, str]:
    """File name → CSV text of each template (header plus one worked example row)."""
    lead = dict.fromkeys(leads_header(), "")
    lead.update(id="L-1", name="Hedera University microdegrees", organisation="Hedera University",
                owner="Amara Okafor", source="Referral", created_on="2026-01-10",
                stage=default_lifecycle().stages[2].key,
                status="open", amount="85000", currency="USD", pricing="hourly", people_profile="1", need="1",
                budget="2", contract_type="2", prestige="2", market_niche="2", internal_bias="2",
                prestige_comment="Widely known; a valuable reference", inquiry_received="yes", responsive="yes")
    time = dict(zip(TIME_COLUMNS, ("2026-01-05", "Jimmy Page", "1.5", "yes", "Hedera University", "Microdegree",
                                   "Hedera University", "HU-12", "Theme colours", "09:00", "10:30")))
    budget = dict(zip(BUDGET_COLUMNS, ("Hedera University", "2026-01", "62", "", "125", "USD", "retainer")))
    from sales.team import roster  # the people and time-off files are the roster's (pandas loads only here)

    return {"leads.csv": _csv([lead]), "time_entries.csv": _csv([time]), "budgets.csv": _csv([budget]),
            **roster.templates()}


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def write_templates() -> None:
    TEMPLATE_DIR.mkdir(exist_ok=True)
    for name, text in templates().items():
        (TEMPLATE_DIR / name).write_text(text, encoding="utf-8")
