"""People and their time: the values a file or a form may hold, the hours a day removes, the import's rejects by
line and column, undo, and changes by hand that nothing machine-made removes."""

from datetime import date

import pandas as pd
import pytest

from sales.access import AccessDenied
from sales.ingest import import_file, undo_batch
from sales.store import Store, scalar
from sales.team import edits, roster
from sales.templates import TEMPLATE_DIR
from tests.conftest import ADMIN, BIZDEV, VIEWER
from tests.team.conftest import FIXTURES


@pytest.mark.parametrize("text, days", [
    ("Mon-Fri", (0, 1, 2, 3, 4)), ("Mon-Thu", (0, 1, 2, 3)), ("mon–fri", (0, 1, 2, 3, 4)),
    ("Mon,Tue,Thu", (0, 1, 3)), ("Tue; Sat", (1, 5)), ("Monday, Wednesday", (0, 2)), ("", (0, 1, 2, 3, 4)),
    ("Sun", (6,)), ("Mon-Wed,Fri", (0, 1, 2, 4)),
])
def test_working_days(text, days):
    assert roster.parse_working_days(text) == days


@pytest.mark.parametrize("text", ["Mon-Fry", "Fri-Mon", "weekdays", "1-5", "Mon-"])
def test_working_days_refused(text):
    with pytest.raises(roster.RosterError, match="write Mon-Fri, Mon-Thu or days listed as Mon,Tue,Thu"):
        roster.parse_working_days(text)


@pytest.mark.parametrize("text, target", [("0.8", 0.8), ("80%", 0.8), ("80 %", 0.8), ("0,75", 0.75), ("", None),
                                          ("100%", 1.0)])
def test_targets(text, target):
    assert roster.parse_target(text) == target


@pytest.mark.parametrize("text", ["80", "120%", "0", "eighty", "-0.5"])
def test_targets_refused(text):
    with pytest.raises(roster.RosterError):
        roster.parse_target(text)


@pytest.mark.parametrize("text, region", [("DE", "DE"), ("de-by", "DE-BY"), ("GB", "GB"), ("", None),
                                          (" US-CA ", "US-CA")])
def test_regions(text, region):
    assert roster.parse_region(text) == region


@pytest.mark.parametrize("text", ["XX", "DE-ZZ", "Germany", "<b>DE</b>"])
def test_regions_refused(text):
    with pytest.raises(roster.RosterError, match="no country"):
        roster.parse_region(text)


def _person(**changes) -> pd.DataFrame:
    row = dict(name="Ana", effective_from=pd.Timestamp("2026-01-01"), email=None, weekly_capacity_hours=40.0,
               working_days="Mon,Tue,Wed,Thu,Fri", country="DE", start_date=None, end_date=None, cost_rate=50.0,
               currency="EUR", utilisation_target=0.8)
    return pd.DataFrame([{**row, **changes}])


NO_TIME_OFF = pd.DataFrame(columns=["person", "from_date", "to_date", "hours_per_day"])


def test_a_day_is_the_weekly_capacity_over_the_working_days():
    # 30 h over Mon, Tue, Wed: 10 h a day; Thursday 14 May 2026 (Ascension in DE) is not one of them
    days = roster.daily(_person(weekly_capacity_hours=30.0, working_days="Mon,Tue,Wed"), NO_TIME_OFF,
                        date(2026, 5, 11), date(2026, 5, 17))
    assert days["day_hours"].tolist() == [10, 10, 10, 0, 0, 0, 0]
    assert days["holiday_hours"].sum() == 0 and days["available_hours"].sum() == 30


def test_holidays_and_time_off_only_on_working_days_within_employment():
    away = pd.DataFrame([  # a week off around Ascension, a half day before the start, a day after the end
        dict(person="Ana", from_date=date(2026, 5, 11), to_date=date(2026, 5, 17), hours_per_day=None),
        dict(person="Ana", from_date=date(2026, 5, 4), to_date=date(2026, 5, 4), hours_per_day=4.0),
        dict(person="Ana", from_date=date(2026, 5, 29), to_date=date(2026, 5, 29), hours_per_day=None)])
    ana = _person(start_date=pd.Timestamp("2026-05-05"), end_date=pd.Timestamp("2026-05-28"))
    days = roster.daily(ana, away, date(2026, 5, 1), date(2026, 5, 31)).set_index("day")
    may = lambda d: pd.Timestamp(2026, 5, d)  # noqa: E731
    assert days.loc[may(4), "day_hours"] == 0 and days.loc[may(4), "time_off_hours"] == 0  # before the start
    assert days.loc[may(14), ["holiday_hours", "time_off_hours"]].tolist() == [8, 0]  # the holiday is counted once
    assert days.loc[may(11):may(17), "available_hours"].sum() == 0
    assert days.loc[may(25), "holiday_hours"] == 8  # Whit Monday
    assert days.loc[may(29), "day_hours"] == 0  # after the end
    # 5 to 28 May: 18 weekdays × 8 = 144 − 8 (25 May) − 32 (11 to 15 May off, but for the holiday) − 8 (14 May)
    assert days["available_hours"].sum() == 144 - 8 - 32 - 8


def test_the_row_in_force_changes_capacity_and_the_first_row_holds_before_it():
    rows = pd.concat([_person(), _person(effective_from=pd.Timestamp("2026-05-13"), weekly_capacity_hours=20.0)])
    days = roster.daily(rows, NO_TIME_OFF, date(2025, 12, 31), date(2026, 5, 15)).set_index("day")
    assert days.loc[pd.Timestamp(2025, 12, 31), "day_hours"] == 8  # before every effective_from: the first row
    assert days.loc[pd.Timestamp(2026, 5, 12), "day_hours"] == 8
    assert days.loc[pd.Timestamp(2026, 5, 13), "day_hours"] == 4


def test_import_rejects_by_line_and_column(store, tmp_path):
    bad = tmp_path / "people.csv"
    bad.write_text("name,weekly_capacity_hours,working_days,country,start,end,cost_rate,currency,effective_from,"
                   "utilisation_target\n"
                   "Ana,40,Mon-Fri,DE,2026-01-01,,50,EUR,2026-01-01,80%\n"
                   "Ben,40,Mon-Fry,GB,,,,,,\n"
                   "Cy,forty,Mon-Fri,GB,,,,,,\n"
                   "Di,40,Mon-Fri,Narnia,,,,,,\n"
                   "Ed,40,Mon-Fri,GB,2026-13-01,,,,,\n"
                   "Fa,40,Mon-Fri,GB,,,70,,,\n"
                   "Gu,40,Mon-Fri,GB,,,,,,120%\n"
                   ",40,Mon-Fri,GB,,,,,,\n"
                   "Ho,40,Mon-Fri,GB,2026-05-01,2026-04-01,,,,\n", encoding="utf-8")
    r = import_file(store, ADMIN, bad)
    assert (r.kind, r.imported, r.rejected) == ("people", 1, 8)
    assert [(x.line, x.column) for x in r.rejects] == [
        (3, "working_days"), (4, "weekly_capacity_hours"), (5, "country"), (6, "start"), (7, "currency"),
        (8, "utilisation_target"), (9, "name"), (10, "end")]
    assert "cannot read 'forty' as weekly capacity hours" in r.rejects[1].reason
    assert "'Narnia' is no country" in r.rejects[2].reason
    assert scalar(store.cursor(), "SELECT count(*) FROM rejected_rows WHERE batch_id = ?", [r.batch]) == 8


def test_time_off_names_someone_of_the_roster(store, tmp_path):
    import_file(store, ADMIN, FIXTURES / "people.csv")
    away = tmp_path / "time_off.csv"
    away.write_text("person,from,to,hours_per_day\nAna,2026-07-01,2026-07-03,\nNobody,2026-07-01,2026-07-01,\n"
                    "Ana,2026-07-09,2026-07-08,\nBen,2026-07-01,2026-07-01,lots\n", encoding="utf-8")
    r = import_file(store, ADMIN, away)
    assert (r.imported, [(x.line, x.column) for x in r.rejects]) == (1, [(3, "person"), (4, "to"),
                                                                        (5, "hours_per_day")])
    assert "'Nobody' has no row among the people" in r.rejects[0].reason


def test_a_reimport_adds_nothing_and_a_changed_rate_supersedes_until_undone(store, tmp_path):
    first = import_file(store, ADMIN, FIXTURES / "people.csv")
    assert (first.imported, import_file(store, ADMIN, FIXTURES / "people.csv").duplicates) == (3, 3)
    raised = tmp_path / "raise.csv"
    raised.write_text((FIXTURES / "people.csv").read_text().replace(",40,GBP,", ",45,GBP,"), encoding="utf-8")
    again = import_file(store, ADMIN, raised)
    assert (again.imported, again.duplicates) == (1, 2)
    rates = lambda: roster.cost_rates(store.cursor(), ADMIN).set_index("name")["cost_rate"]  # noqa: E731
    assert rates()["Ben"] == 45
    undo_batch(store, ADMIN, again.batch)
    assert rates()["Ben"] == 40  # the earlier row is back


def test_undo_never_removes_what_people_entered_by_hand(store):
    batch = import_file(store, ADMIN, FIXTURES / "people.csv").batch
    edits.save_person(store, ADMIN, {"name": "Ben", "weekly_capacity_hours": 24, "country": "GB",
                                     "effective_from": date(2026, 2, 1), "cost_rate": 42, "currency": "gbp"})
    edits.add_time_off(store, ADMIN, "Ben", date(2026, 6, 1), date(2026, 6, 2))
    removed = undo_batch(store, ADMIN, batch)
    assert removed["people"] == 3
    assert roster.roster(store.cursor())[["name", "weekly_capacity_hours"]].values.tolist() == [["Ben", 24]]
    assert len(roster.time_off(store.cursor())) == 1


def test_changes_by_hand_are_versions_and_audited(store):
    import_file(store, ADMIN, FIXTURES / "people.csv")
    edits.save_person(store, ADMIN, {"name": "Ana", "weekly_capacity_hours": 32, "working_days": "Mon-Thu",
                                     "country": "DE-BY", "start": date(2025, 6, 1),
                                     "effective_from": date(2026, 5, 11), "cost_rate": 61, "currency": "EUR",
                                     "utilisation_target": "75%"})
    edits.remove_person(store, ADMIN, "Ana", date(2025, 6, 1))
    rows = roster.cost_rates(store.cursor(), ADMIN)
    assert rows[["name", "cost_rate"]].values.tolist() == [["Ana", 61], ["Ben", 40]]
    assert scalar(store.cursor(), "SELECT count(*) FROM people") == 5  # nothing deleted: 3 imported, 2 by hand
    trail = store.cursor().execute("SELECT subject FROM audit_log WHERE kind = 'people' ORDER BY id").fetchall()
    assert [t[0] for t in trail] == ["Ana from 2026-05-11", "Ana from 2025-06-01: removed"]
    with pytest.raises(roster.RosterError, match="weekly capacity"):
        edits.save_person(store, ADMIN, {"name": "Cy", "weekly_capacity_hours": None})


@pytest.mark.parametrize("who", [VIEWER, BIZDEV])
def test_only_admins_change_the_roster(store, who):
    with pytest.raises(AccessDenied):
        edits.save_person(store, who, {"name": "Ana", "weekly_capacity_hours": 40})
    with pytest.raises(AccessDenied):
        edits.add_time_off(store, who, "Ana", date(2026, 1, 1), date(2026, 1, 2))
    with pytest.raises(AccessDenied):
        import_file(store, who, FIXTURES / "people.csv")


def test_imported_time_off_goes_with_an_undo(store):
    import_file(store, ADMIN, FIXTURES / "people.csv")
    import_file(store, ADMIN, FIXTURES / "time_off.csv")
    first = int(roster.time_off(store.cursor())["id"].iloc[0])
    with pytest.raises(roster.RosterError, match="undo that import"):
        edits.remove_time_off(store, ADMIN, first)
    mine = edits.add_time_off(store, ADMIN, "Ana", date(2026, 8, 3), date(2026, 8, 7))
    edits.remove_time_off(store, ADMIN, mine)
    assert len(roster.time_off(store.cursor())) == 3


@pytest.mark.parametrize("name", ["people.csv", "time_off.csv"])
def test_shipped_templates_match_the_generated_ones(name):
    assert (TEMPLATE_DIR / name).read_text(encoding="utf-8") == roster.templates()[name]


def test_templates_import_cleanly(store):
    people = import_file(store, ADMIN, TEMPLATE_DIR / "people.csv")
    away = import_file(store, ADMIN, TEMPLATE_DIR / "time_off.csv")
    assert [(r.format, r.kind, r.imported, r.rejected) for r in (people, away)] == [
        ("canonical-people", "people", 1, 0), ("canonical-time-off", "time_off", 1, 0)]


def test_a_lead_estimate_is_imported_and_undone(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        r = import_file(s, ADMIN, FIXTURES / "leads.csv")
        hours = dict(s.cursor().execute("SELECT external_id, estimated_hours FROM leads").fetchall())
        assert hours["O1"] == 120 and hours["O2"] is None
        bad = tmp_path / "bad.csv"
        bad.write_text("id,name,status,estimated_hours\nX1,Lead,open,many\n", encoding="utf-8")
        rejected = import_file(s, ADMIN, bad)
        assert [(x.line, x.column) for x in rejected.rejects] == [(2, "estimated_hours")]
        later = tmp_path / "later.csv"
        later.write_text("id,name,status,estimated_hours\nO1,Nova Academy platform,open,150\n", encoding="utf-8")
        changed = import_file(s, ADMIN, later, fmt="canonical-leads")
        assert changed.updated == 1
        assert s.cursor().execute("SELECT estimated_hours FROM leads WHERE external_id = 'O1'").fetchall() == [(150,)]
        undo_batch(s, ADMIN, changed.batch)
        assert s.cursor().execute("SELECT estimated_hours FROM leads WHERE external_id = 'O1'").fetchall() == [(120,)]
        assert r.imported == 6
