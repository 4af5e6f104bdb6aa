"""Numbers mean what they say: every duration, amount, hourly rate, budget's hours and currency through
``import_file``, as a one-row file; the stored value, or the reject's line, column and reason, worked by hand.

A value is never made a number by dropping characters: ``1h30`` is an hour and a half, not 130 h; ``5k`` and
``1,2,3`` are refused, not read as 5 and 123.
"""

from dataclasses import dataclass

import pytest

from sales.ingest import import_file
from sales.store import scalar
from tests.conftest import ADMIN


@dataclass(frozen=True)
class Refused:
    column: str
    words: str  # in the reason


def one_row(tmp_path, header: str, row: list[str]):
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v

    f = tmp_path / "file.csv"
    f.write_text(header + "\n" + ",".join(cell(v) for v in row) + "\n", encoding="utf-8")
    return f


def outcome(store, r, expected, stored: str) -> None:
    """The row was refused as ``expected`` says (line 2, its column and reason), or ``stored`` reads ``expected``."""
    if isinstance(expected, Refused):
        assert (r.imported, r.rejected) == (0, 1)
        (reject,) = r.rejects
        assert (reject.line, reject.column) == (2, expected.column)
        assert expected.words in reject.reason
    else:
        assert (r.imported, r.rejected) == (1, 0), r.rejects
        assert store.cursor().execute(stored).fetchall() == [expected]


def no(words: str) -> Refused:
    return Refused("hours", words)


DURATIONS = [  # the hours column of a time entry → hours, or the reason it is refused
    ("1.5", 1.5), ("12.5", 12.5),  # twelve and a half hours, never 12 h 05
    ("7,5", 7.5), (" 2 ", 2.0),
    ("1:30", 1.5), ("0:45", 0.75), ("97:16:34", 97 + 16 / 60 + 34 / 3600),  # a timer left on for four days
    ("1h30", 1.5), ("1h 30m", 1.5), ("1 h 30 min", 1.5), ("1 hour 30 minutes", 1.5),
    ("1h30m15s", 1 + 30 / 60 + 15 / 3600),
    ("90 min", 1.5), ("45m", 0.75), ("1.5h", 1.5), ("1,5 h", 1.5), ("2 hours", 2.0), ("2700 s", 0.75),
    ("1E+01", 10.0),  # Excel's scientific notation
    ("1h 75m", no("cannot read '1h 75m' as a duration")),  # minutes after hours are under 60
    ("2 days", no("cannot read '2 days' as a duration")),  # how many hours is a day of work?
    ("1w", no("cannot read '1w' as a duration")),
    ("1,2,3", no("cannot read '1,2,3' as a duration")),
    ("1_000", no("cannot read '1_000' as a duration")),
    ("+-1", no("cannot read '+-1' as a duration")),
    ("inf", no("cannot read 'inf' as a duration")), ("nan", no("cannot read 'nan' as a duration")),
    ("1e308", no("'1e308' is out of range (0 to 744 hours)")),
    ("1e309", no("'1e309' is out of range (0 to 744 hours)")),
    ("-2", no("'-2' is out of range (0 to 744 hours)")),
    ("745", no("'745' is out of range (0 to 744 hours)")), ("744", 744.0),
    ("25:99", no("cannot read '25:99' as a duration")),
]


@pytest.mark.parametrize("value, expected", DURATIONS, ids=[v for v, _ in DURATIONS])
def test_durations(store, tmp_path, value, expected):
    f = one_row(tmp_path, "date,person,hours,client,description", ["2026-03-02", "Ana", value, "Acme", "x"])
    if not isinstance(expected, Refused):
        expected = (pytest.approx(expected),)
    outcome(store, import_file(store, ADMIN, f), expected, "SELECT hours FROM time_entries")


def test_whole_seconds_where_the_mapping_says_so(store, tmp_path):
    f = one_row(tmp_path, "Day,Who,Secs", ["2026-03-02", "Ana", "2700"])
    r = import_file(store, ADMIN, f, mapping={"kind": "time", "hours_unit": "seconds",
                                              "columns": {"work_date": "Day", "person": "Who", "hours": "Secs"}})
    assert (r.imported, r.hours) == (1, 0.75)


AMOUNTS = [  # a lead's amount and currency → (amount, currency) stored, or the column and reason refused
    ("85000", "USD", (85000.0, "USD")),
    ("1,234.50", "USD", (1234.5, "USD")), ("1.234,50", "EUR", (1234.5, "EUR")),
    ("1 234,50", "EUR", (1234.5, "EUR")), ("1'234.50", "CHF", (1234.5, "CHF")),
    ("2.000.000", "EUR", (2_000_000.0, "EUR")),
    ("1.5E+06", "USD", (1_500_000.0, "USD")),  # Excel writes big numbers so
    ("85000", "usd", (85000.0, "USD")), ("85000", " Eur ", (85000.0, "EUR")),
    ("85000", "€", (85000.0, "EUR")), ("85000", "£", (85000.0, "GBP")), ("85000", "US$", (85000.0, "USD")),
    ("85000", "United States Dollar - USD", (85000.0, "USD")),
    ("85000", "", (85000.0, None)),  # no currency: kept apart as such, never as another's
    ("$1,200", "USD", (1200.0, "USD")), ("$1,200", "CAD", (1200.0, "CAD")),  # the row says which dollar
    ("US$ 1,200", "", (1200.0, "USD")), ("€1.200,50", "", (1200.5, "EUR")), ("1200 EUR", "", (1200.0, "EUR")),
    ("1200 EUR", "EUR", (1200.0, "EUR")),
    ("$1,200", "", Refused("amount", "'$' names no single currency")),
    ("1200 EUR", "USD", Refused("amount", "'1200 EUR' is in EUR, but the row's currency is USD")),
    ("5k", "USD", Refused("amount", "cannot read '5k' as an amount")),
    ("$1.5M", "USD", Refused("amount", "cannot read '$1.5M' as an amount")),
    ("1,2,3", "USD", Refused("amount", "cannot read '1,2,3' as an amount")),
    ("a lot", "USD", Refused("amount", "cannot read 'a lot' as an amount")),
    ("inf", "USD", Refused("amount", "cannot read 'inf' as an amount")),
    ("-500", "USD", Refused("amount", "an amount must not be negative, got '-500'")),
    ("1e308", "USD", Refused("amount", "'1e308' is out of range (at most 10,000,000,000,000 for an amount)")),
    ("85000", "Dollars", Refused("currency", "cannot read 'Dollars' as a currency")),
    ("85000", "XYZ", Refused("currency", "cannot read 'XYZ' as a currency")),
    ("85000", "$", Refused("currency", "cannot read '$' as a currency")),
]


@pytest.mark.parametrize("amount, currency, expected", AMOUNTS, ids=[f"{a} {c}" for a, c, _ in AMOUNTS])
def test_lead_amounts_and_currencies(store, tmp_path, amount, currency, expected):
    f = one_row(tmp_path, "id,name,stage,amount,currency", ["L-1", "Hedera", "assess_needs", amount, currency])
    outcome(store, import_file(store, ADMIN, f), expected, "SELECT amount, currency FROM leads")


BUDGETS = [  # monthly hours, hourly rate, currency → (hours, rate, currency) stored, or column and reason
    ("62", "125", "USD", (62.0, 125.0, "USD")), ("62,5", "95,50", "eur", (62.5, 95.5, "EUR")),
    ("62", "€95", "", (62.0, 95.0, "EUR")), ("62", "$125", "USD", (62.0, 125.0, "USD")),
    ("62", "125", "Euros", (62.0, 125.0, "EUR")), ("0", "0", "USD", (0.0, 0.0, "USD")),
    ("62", "-125", "USD", Refused("hourly_rate", "an hourly rate must not be negative, got '-125'")),
    ("62", "inf", "USD", Refused("hourly_rate", "cannot read 'inf' as an hourly rate")),
    ("62", "1e308", "USD", Refused("hourly_rate", "'1e308' is out of range (at most 100,000,000 for an hourly rate)")),
    ("62", "5k", "USD", Refused("hourly_rate", "cannot read '5k' as an hourly rate")),
    ("62", "$125", "", Refused("hourly_rate", "'$' names no single currency")),
    ("62", "125", "₿", Refused("currency", "cannot read '₿' as a currency")),
    ("-5", "125", "USD", Refused("monthly_hours", "hours must not be negative, got '-5'")),
    ("1e6", "125", "USD", Refused("monthly_hours", "'1e6' is out of range (at most 100,000 for a number of hours)")),
    ("1,2,3", "125", "USD", Refused("monthly_hours", "cannot read '1,2,3' as a number of hours")),
    ("nan", "125", "USD", Refused("monthly_hours", "cannot read 'nan' as a number of hours")),
]


@pytest.mark.parametrize("hours, rate, currency, expected", BUDGETS, ids=[" ".join(b[:3]) for b in BUDGETS])
def test_budget_hours_rates_and_currencies(store, tmp_path, hours, rate, currency, expected):
    f = one_row(tmp_path, "account,effective_month,monthly_hours,hourly_rate,currency",
                ["Acme", "2026-01", hours, rate, currency])
    outcome(store, import_file(store, ADMIN, f), expected,
            "SELECT monthly_hours, hourly_rate, currency FROM budgets")


def test_a_column_of_decimal_commas_reads_its_thousands_points_as_such(store, tmp_path):
    """The column decides: beside 7,5 and 2,25, a lone 2.000 is two thousand hours' worth of grouping, out of range
    for one entry; in a column of points, 1,234 is a thousand and more."""
    f = tmp_path / "t.csv"
    f.write_text("date,person,hours\n2026-03-02,A,\"7,5\"\n2026-03-03,B,\"2,25\"\n2026-03-04,C,2.000\n"
                 "2026-03-05,D,\"1,5\"\n")
    r = import_file(store, ADMIN, f)
    assert [(x.line, x.reason) for x in r.rejects] == [(4, "'2.000' is out of range (0 to 744 hours)")]
    assert scalar(store.cursor(), "SELECT sum(hours) FROM time_entries") == pytest.approx(7.5 + 2.25 + 1.5)


def test_a_mapping_may_say_which_dollar_a_bare_dollar_sign_means(store, tmp_path):
    f = one_row(tmp_path, "Deal,Value", ["Hedera", "$1,200"])
    columns = {"name": "Deal", "amount": "Value"}
    r = import_file(store, ADMIN, f, mapping={"kind": "leads", "columns": columns})
    assert (r.imported, [x.column for x in r.rejects]) == (0, ["Value"])
    r = import_file(store, ADMIN, f, mapping={"kind": "leads", "dollar": "CAD", "columns": columns})
    assert r.imported == 1
    assert store.cursor().execute("SELECT amount, currency FROM leads").fetchall() == [(1200.0, "CAD")]
    from sales.ingest import IngestError
    with pytest.raises(IngestError, match="'dollar' must be the ISO 4217 code"):
        import_file(store, ADMIN, f, mapping={"kind": "leads", "dollar": "dollars", "columns": columns})


PEOPLE = [  # weekly capacity and cost rate of a people.csv row → stored, or the reason it is refused
    ("37.5", "1,250.00", (37.5, 1250.0)),  # thousands grouped as in any other import's rate
    ("37,5", "1.250,00", (37.5, 1250.0)),  # decimal commas, thousands points
    ("40", "1 250", (40.0, 1250.0)),
    ("40", "0.00001", (40.0, 0.00001)),
    ("forty", "50", Refused("weekly_capacity_hours", "cannot read 'forty' as weekly capacity hours")),
    ("40", "-5", Refused("cost_rate", "cannot read '-5' as a cost rate per hour")),
    ("40", "5k", Refused("cost_rate", "cannot read '5k' as a cost rate per hour")),
    ("200", "50", Refused("weekly_capacity_hours", "200 hours is more than a week holds")),
]


@pytest.mark.parametrize("capacity, rate, expected", PEOPLE, ids=[" ".join(p[:2]) for p in PEOPLE])
def test_a_roster_reads_its_numbers_as_every_import_does(store, tmp_path, capacity, rate, expected):
    f = one_row(tmp_path, "name,weekly_capacity_hours,cost_rate,currency", ["Ana", capacity, rate, "EUR"])
    outcome(store, import_file(store, ADMIN, f), expected, "SELECT weekly_capacity_hours, cost_rate FROM people")


def test_time_off_hours_per_day_in_decimal_commas(store, tmp_path):
    import_file(store, ADMIN, one_row(tmp_path, "name,weekly_capacity_hours", ["Ana", "40"]))
    away = tmp_path / "time_off.csv"
    away.write_text('person,from,to,hours_per_day\nAna,2026-07-01,2026-07-01,"3,5"\n'
                    'Ana,2026-07-02,2026-07-02,"1,25"\n', encoding="utf-8")
    r = import_file(store, ADMIN, away)
    assert (r.imported, r.rejected) == (2, 0), r.rejects
    assert store.cursor().execute("SELECT hours_per_day FROM time_off ORDER BY from_date").fetchall() == [
        (3.5,), (1.25,)]
