"""Utilisation worked by hand on tests/fixtures/team, through import → ``report utilisation``.

Ana: DE-BY, 40 h Mon-Fri (8 h a day), target 80 %. Ben: GB, 32 h Mon-Thu (8 h a day), target 0.75, employed
1 February to 30 September 2026. Zoe logs time but has no row.

Week of 4 May 2026: Ana 40 h available (1 May, Labour Day, falls in the week before); Ben 32 − 8 (Monday 4 May,
Early May bank holiday in GB) − 8 (his day off on Wednesday 6 May; the Friday 8 May off is not one of his working
days) = 16 h.
Week of 11 May: Ana 40 − 8 (Ascension, Thursday 14 May) − 4 (half a day off on Tuesday 12 May) = 28 h; Ben 32 h.

Logged (billable / all): Ana 18 / 20 and 23 / 23; Ben 6 / 10 and 30 / 34.
Billable utilisation and utilisation: Ana 18/40 = 0.45 and 20/40 = 0.5 (under 0.8 − 0.2: flagged); 23/28 both;
Ben 6/16 = 0.375 (under 0.75 − 0.2) and 10/16 = 0.625; 30/32 = 0.9375 and 34/32 = 1.0625 (over 100 %: flagged).
"""

from datetime import date

import pytest

from sales.store import Store
from sales.team import utilisation as u
from tests.team.conftest import report

MAY = ("--from", "2026-05-04", "--to", "2026-05-17")


def test_utilisation_worked_by_hand_through_import_and_report(team_db):
    out = report(team_db, "utilisation", *MAY)
    rows = out["utilisation"]
    assert [list(r) for r in rows][0] == ["person", "week", "available_hours", "billable_hours", "logged_hours",
                                           "billable_utilisation", "utilisation"]
    got = [(r["person"], r["week"], r["available_hours"], r["billable_hours"], r["logged_hours"]) for r in rows]
    assert got == [("Ana", "2026-05-04", 40, 18, 20), ("Ana", "2026-05-11", 28, 23, 23),
                   ("Ben", "2026-05-04", 16, 6, 10), ("Ben", "2026-05-11", 32, 30, 34)]
    assert [r["billable_utilisation"] for r in rows] == pytest.approx([0.45, 23 / 28, 0.375, 0.9375])
    assert [r["utilisation"] for r in rows] == pytest.approx([0.5, 23 / 28, 0.625, 1.0625])
    flags = [(r["person"], r["week"], r["target"], r["flag"]) for r in out["against the target"]]
    assert flags == [("Ana", "2026-05-04", 0.8, "under target"), ("Ana", "2026-05-11", 0.8, ""),
                     ("Ben", "2026-05-04", 0.75, "under target"), ("Ben", "2026-05-11", 0.75, "over")]
    assert [(r["person"], r["logged_hours"]) for r in out["people without a row"]] == [("Zoe", 2)]


def test_per_person_over_the_period(team_db):
    # Ana 41 billable of 43 logged against 40 + 28 = 68 available; Ben 36 of 44 against 16 + 32 = 48
    people = {r["person"]: r for r in report(team_db, "utilisation", *MAY)["per person"]}
    assert (people["Ana"]["available_hours"], people["Ana"]["billable_hours"], people["Ana"]["logged_hours"]) == (
        68, 41, 43)
    assert people["Ana"]["billable_utilisation"] == pytest.approx(41 / 68)
    assert people["Ben"]["utilisation"] == pytest.approx(44 / 48)
    assert (people["Ben"]["over"], people["Ben"]["under_target"]) == (1, 1)


def test_a_week_is_in_the_report_when_its_monday_is(team_db):
    # 5 to 11 May holds only the Monday 11 May: that week alone, counted whole
    rows = report(team_db, "utilisation", "--from", "2026-05-05", "--to", "2026-05-11")["utilisation"]
    assert {r["week"] for r in rows} == {"2026-05-11"}


def test_months(team_db):
    # May 2026: Ana 21 weekdays × 8 = 168 − 8 (1 May) − 8 (14 May) − 8 (25 May, Whit Monday) − 4 = 140 h;
    # Ben Mon-Thu: 4 weeks of 4 days (1 May is a Friday) × 8 = 128 − 8 (4 May) − 8 (25 May) − 8 (6 May off) = 104 h
    with Store(team_db) as s:
        frame = u.view(s.cursor(), date(2026, 5, 1), date(2026, 5, 31), "month").table.set_index("person")
    assert frame.loc["Ana", "month"] == "2026-05"
    assert (frame.loc["Ana", "available_hours"], frame.loc["Ben", "available_hours"]) == (140, 104)
    assert (frame.loc["Ana", "logged_hours"], frame.loc["Ben", "logged_hours"]) == (43, 44)


@pytest.mark.parametrize("billable, total, target, expected", [
    (0.45, 0.5, 0.8, "under target"),  # more than 20 points under
    (0.6, 0.6, 0.8, ""),  # exactly 20 points under: not flagged
    (0.9, 1.0, 0.8, ""),  # 100 % is not over
    (0.9, 1.01, 0.8, "over"),
    (0.1, 1.2, 0.8, "over"),  # over wins
    (None, None, 0.8, "no available hours"),
])
def test_flags(billable, total, target, expected):
    assert u.flag(billable, total, target) == expected


@pytest.mark.parametrize("start, end, grain, expected", [
    (date(2026, 5, 4), date(2026, 5, 17), "week", [date(2026, 5, 4), date(2026, 5, 11)]),
    (date(2026, 5, 5), date(2026, 5, 10), "week", []),
    (date(2026, 4, 15), date(2026, 6, 1), "month", [date(2026, 5, 1), date(2026, 6, 1)]),
    (date(2026, 12, 1), date(2027, 1, 31), "month", [date(2026, 12, 1), date(2027, 1, 1)]),
])
def test_periods_that_begin_in_the_period(start, end, grain, expected):
    assert u.starts_between(start, end, grain) == expected


def test_the_available_hours_are_kept_across_a_time_file_and_read_again_after_time_off(fresh_team_db, monkeypatch,
                                                                                          tmp_path, shared_memo):
    """On the dashboard: Ana's week of 4 May, 40 h available and 20 logged. A time file of 4 more hours is read
    (24 logged) without working out the available hours again; a day off on Monday 4 May is (32 h available)."""
    from sales import memo
    from sales.ingest import import_file
    from sales.queries import data_version
    from tests.conftest import ADMIN

    worked = []
    real = u._available
    monkeypatch.setattr(u, "_available", lambda *a: worked.append(a[1:]) or real(*a))
    with Store(fresh_team_db) as s:
        def ana() -> tuple:  # as the dashboard's query cache asks, telling the data version
            cur = s.cursor()
            with memo.reading(data_version(cur)):
                t = u.view(cur, date(2026, 5, 4), date(2026, 5, 10)).table.set_index("person").loc["Ana"]
            return t["available_hours"], t["logged_hours"]

        assert ana() == (40, 20) and len(worked) == 1
        more = tmp_path / "more.csv"
        more.write_text("date,person,hours,billable,account\n2026-05-05,Ana,4,yes,Brown Class\n", encoding="utf-8")
        import_file(s, ADMIN, more)
        assert ana() == (40, 24) and len(worked) == 1
        away = tmp_path / "time_off.csv"
        away.write_text("person,from,to,hours_per_day\nAna,2026-05-04,2026-05-04,\n", encoding="utf-8")
        import_file(s, ADMIN, away)
        assert ana() == (32, 24) and len(worked) == 2
