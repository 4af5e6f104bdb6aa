"""A rejected row is one that is really wrong: for every rejection reason, a real-looking row that must be
accepted (line 2) beside one that must be rejected (line 3), through ``import_file``."""

import pytest

from sales.ingest import import_file
from tests.conftest import ADMIN

TIME = "date,person,hours,client,description,start,end"
BUDGETS = "account,effective_month,monthly_hours,fixed_total_hours,hourly_rate,currency,kind"
LEADS = "id,name,organisation,stage,amount,created_on,need,responsive"

CASES = {  # reason: (header, accepted row, rejected row, the rejection's column and words)
    "no date": (TIME, "2026-03-02,Ana,1,Acme,design,,", ",Ana,1,Acme,design,,", ("date", "no date")),
    "unreadable date": (TIME, "2026-03-02,Ana,1,Acme,x,,", "next tuesday,Ana,1,Acme,y,,",
                        ("date", "cannot read 'next tuesday' as a date")),
    "unreadable duration": (TIME, "2026-03-02,Ana,1:30,Acme,x,,", "2026-03-03,Ana,soon,Acme,y,,",
                            ("hours", "cannot read 'soon' as a duration")),
    "no duration and no times": (TIME, "2026-03-02,Ana,,Acme,x,09:00,10:30", "2026-03-03,Ana,,Acme,y,,",
                                 ("hours", "no duration, and no start and end time")),
    "out of range (a timer forgotten for four days is not)": (
        TIME, "2026-03-02,Ana,97:16:34,Acme,x,,", "2026-03-03,Ana,800,Acme,y,,", ("hours", "out of range")),
    "disagrees with start and end (across midnight agrees)": (
        TIME, "2026-03-02,Ana,1.5,Acme,x,23:30,01:00", "2026-03-03,Ana,3,Acme,y,09:00,10:00",
        ("hours", "disagrees with the start and end times")),
    "unreadable time of day (12-hour clock reads)": (
        TIME, "2026-03-02,Ana,1,Acme,x,1:05 PM,2:05 PM", "2026-03-03,Ana,1,Acme,y,25:99,",
        ("start", "cannot read '25:99' as a time of day")),
    "no account": (BUDGETS, "Acme,2026-01,62,,,USD,retainer", ",2026-02,10,,,USD,retainer",
                   ("account", "no account or client")),
    "unreadable month (a full date reads)": (BUDGETS, "Acme,2026-01-15,62,,,USD,retainer",
                                             "Acme,Q1,62,,,USD,retainer", ("effective_month", "as a month")),
    "unreadable hours": (BUDGETS, "Acme,2026-01,62.5,,,USD,retainer", "Beta,2026-01,lots,,,USD,retainer",
                         ("monthly_hours", "cannot read 'lots' as a number of hours")),
    "neither monthly nor total hours (total alone will do)": (
        BUDGETS, "Acme,2026-03,,40,,USD,fixed", "Beta,2026-03,,,,USD,fixed", ("monthly_hours", "needs monthly_hours")),
    "unknown budget kind (any case)": (BUDGETS, "Acme,2026-01,62,,,USD,Retainer", "Beta,2026-01,62,,,USD,barter",
                                       ("kind", "is not a budget kind")),
    "negative hours (zero is fine)": (BUDGETS, "Acme,2026-01,0,,,USD,retainer", "Beta,2026-01,-5,,,USD,retainer",
                                      ("monthly_hours", "must not be negative")),
    "no name (an organisation will do)": (LEADS, "L-1,,Hedera University,,,,,", "L-2,,,,,,,",
                                          ("name", "no name, person, organisation or email")),
    "rubric level outside 0-2": (LEADS, "L-1,Hedera,,,,,2,", "L-2,Affogato,,,,,3,", ("need", "3")),
    "unreadable created date": (LEADS, "L-1,Hedera,,,,2026-03-02,,", "L-2,Affogato,,,,someday,,",
                                ("created_on", "cannot read 'someday' as a date")),
    "unreadable amount (thousands separators read)": (LEADS, 'L-1,Hedera,,,"1,234.50",,,', "L-2,Affogato,,,a lot,,,",
                                                      ("amount", "cannot read 'a lot' as an amount")),
    "unreadable yes/no": (LEADS, "L-1,Hedera,,,,,,yes", "L-2,Affogato,,,,,,maybe",
                          ("responsive", "cannot read 'maybe' as yes or no")),
    "too few fields (a quoted comma is one value)": (TIME, '2026-03-02,Ana,1,"Acme, Inc.",x,,',
                                                     "2026-03-03,Ana,1", (None, "too few fields")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rejected_only_when_really_wrong(store, tmp_path, case):
    header, good, bad, (column, words) = CASES[case]
    f = tmp_path / "file.csv"
    f.write_text(f"{header}\n{good}\n{bad}\n")
    r = import_file(store, ADMIN, f)
    assert (r.imported, r.rejected) == (1, 1), r.rejects
    (reject,) = r.rejects
    assert (reject.line, reject.column) == (3, column)
    assert words in reject.reason
