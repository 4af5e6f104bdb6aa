"""The demo's team: the developers who log the demo's time entries, with working days, a country each for public
holidays, cost rates (some changing), targets and some time off, so the Team and Profitability pages have
something to show on the first run."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

# name, weekly hours, working days, country, cost rate, currency, target
TEAM = (
    ("Farid", 40, "Mon-Fri", "DE-BY", 62.0, "EUR", 0.80),
    ("Greta", 32, "Mon-Thu", "DE-BE", 58.0, "EUR", 0.75),
    ("Hiro", 40, "Mon-Fri", "GB", 55.0, "GBP", 0.80),
    ("Ines", 40, "Mon-Fri", "PT", 48.0, "EUR", 0.80),
    ("Jonas", 40, "Mon-Fri", "CA-ON", 70.0, "USD", 0.75),
    ("Kavya", 30, "Mon,Tue,Wed", "GB", 52.0, "GBP", 0.70),
    ("Luca", 40, "Mon-Fri", "FR", 60.0, "EUR", 0.80),
    ("Mei", 40, "Mon-Fri", "US", 75.0, "USD", 0.85),
)


def roster_frames(anchor: date, marker: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People rows (a raise six months ago for every other person) and time off around the anchor date, each
    entered by ``marker`` (the demo's own mark, by which removing the demo finds them)."""
    hired = anchor - timedelta(days=720)
    raised = (anchor - timedelta(days=182)).replace(day=1)
    rows = []
    for i, (name, hours, days, country, rate, currency, target) in enumerate(TEAM):
        base = dict(name=name, email=f"{name.lower()}@agency.example", weekly_capacity_hours=float(hours),
                    working_days=days, country=country, start_date=hired, end_date=None, currency=currency,
                    utilisation_target=target, entered_by=marker)
        rows.append({**base, "effective_from": hired, "cost_rate": rate})
        if i % 2 == 0:
            rows.append({**base, "effective_from": raised, "cost_rate": round(rate * 1.06, 2)})
    away = []
    for i, (name, *_rest) in enumerate(TEAM):
        first = anchor + timedelta(days=14 + 9 * i)
        away.append(dict(person=name, from_date=first, to_date=first + timedelta(days=4), hours_per_day=None,
                         entered_by=marker))
        back = anchor - timedelta(days=60 + 11 * i)
        away.append(dict(person=name, from_date=back, to_date=back + timedelta(days=1), hours_per_day=4.0,
                         entered_by=marker))
    return pd.DataFrame(rows), pd.DataFrame(away)


def write_roster(cur, anchor: date, marker: str) -> None:
    """Inside the demo's own transaction."""
    people, away = roster_frames(anchor, marker)
    cur.register("demo_people", people)
    cur.execute("INSERT INTO people BY NAME SELECT * FROM demo_people")
    cur.register("demo_time_off", away)
    cur.execute("INSERT INTO time_off BY NAME SELECT * FROM demo_time_off")
