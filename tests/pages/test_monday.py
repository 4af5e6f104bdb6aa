"""This week for managers on the two CRM exports a week apart (tests/test_movement.py works every figure)."""

from datetime import date

import pytest

import shell
from sales.ingest import import_file
from sales.store import Store
from sales.targets import set_target
from tests.conftest import ADMIN
from tests.pages.conftest import open_page
from tests.test_movement import EVERY_OPEN_LEAD, FIRST, MOVES, SECOND, THIS_QUARTER

PERIOD = {"moved_from": "2026-11-10", "moved_to": "2026-11-16"}


@pytest.fixture
def monday_db(tmp_path, monkeypatch):
    path = tmp_path / "monday.duckdb"
    with Store(path) as s:
        import_file(s, ADMIN, FIRST)
        import_file(s, ADMIN, SECOND)
        set_target(s, ADMIN, "2026-Q4", 1000, "Ana")
    monkeypatch.setattr(shell, "today", lambda: date(2026, 11, 16))
    return path


def number(text: str) -> float | None:
    """A cell as the page shows it ("USD 29,000", "1,000", blank) read back as a number."""
    return float(text.split(" ")[-1].replace(",", "")) if text else None


def steps(frame) -> dict:
    """The waterfall as the page shows it, per currency: each step's header in words back to its key."""
    return {cur: {h.lower().replace(" ", "_"): number(v) for h, v in row.items()}
            for cur, row in frame.set_index("Currency").to_dict("index").items()}


def frame_with(at, *columns):
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def test_what_moved_on_the_page(monkeypatch, monday_db):
    at = open_page(monkeypatch, monday_db, "week", close="this-quarter", **PERIOD)
    shown = {m.label: m.value for m in at.metric}
    assert {k: shown[k] for k in ("Created", "Won", "Lost", "Reopened", "Moved forward", "Moved back", "Slipped",
                                  "Amount changed")} == {
        "Created": "3", "Won": "2", "Lost": "1", "Reopened": "1", "Moved forward": "1", "Moved back": "1",
        "Slipped": "2", "Amount changed": "3"}
    moves = frame_with(at, "Kind", "Change")  # before → after in one column; a new lead's first stage alone
    assert [tuple(r) for r in moves[["Kind", "Name", "Change"]].values] == [
        (kind, name, f"{before} → {after}" if before else after) for kind, name, before, after in MOVES]
    assert steps(frame_with(at, "Start", "End")) == THIS_QUARTER
    assert len(at.get("vega_lite_chart")) >= 2  # one waterfall per currency, beside the forecast chart
    apart = frame_with(at, "Reason", "Expected close")
    assert apart[["Name", "Reason"]].values.tolist() == [["Larch Society", "no amount"],
                                                         ["Maple Guild", "no expected close"]]

    # per owner: 2026-Q4's forecast, every lead at Generating Leads by its gates (probability 0.02), 1 EUR = 1.10 USD
    # Ana: M03 6,500 × 0.02 = 130, M10 5,500 × 0.02 = 110, M07 3,000 EUR × 0.02 × 1.10 = 66 (M13: no date) → 306
    # Bo: M05 140, M11 120, M14 12,000 EUR → 264 (M08: March) → 524; Cy: M06 80, M15 60 (M04: February) → 140
    owners = frame_with(at, "Open", "Forecast (USD)")
    got = {r[0]: (r[1], r[2], r[3]) for r in owners[["Owner", "Open", "Forecast (USD)", "Target (USD)"]].values}
    assert got == {"Ana": ("4", "306", "1,000"), "Bo": ("4", "524", ""), "Cy": ("4", "140", "")}


@pytest.mark.parametrize("close, expected", [("none", EVERY_OPEN_LEAD), ("next-quarter", {
    "USD": dict(start=4000, created=9000, reopened=0, pulled_in=0, increases=0, decreases=0, pushed_out=4000,
                won=0, lost=0, end=9000),
    "EUR": dict(start=0, created=0, reopened=0, pulled_in=20000, increases=0, decreases=0, pushed_out=0,
                won=0, lost=0, end=20000)})])
def test_the_close_window_choice(monkeypatch, monday_db, close, expected):
    at = open_page(monkeypatch, monday_db, "week", close=close, **PERIOD)
    assert steps(frame_with(at, "Start", "End")) == expected


def test_one_owners_forecast_against_their_own_target(monkeypatch, monday_db):
    at = open_page(monkeypatch, monday_db, "week", owner="Ana", **PERIOD)
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Total weighted, USD"], shown["Target"]) == ("306", "1,000")
    assert any("Target\\: Ana's target for 2026\\-Q4\\." in c.value for c in at.caption)  # as Markdown, escaped
    assert frame_with(at, "Open", "Forecast (USD)")["Owner"].tolist() == ["Ana"]
    assert {r[1] for r in frame_with(at, "Kind", "Change")[["Kind", "Name"]].values} == {
        "Alder University", "Cedar Academy", "Ginkgo Labs", "Juniper Trust"}
    at = open_page(monkeypatch, monday_db, "week", owner="Bo", **PERIOD)
    assert "Target" not in {m.label for m in at.metric}
    assert any("No target set for Bo for 2026\\-Q4\\: an admin sets quarter targets" in c.value for c in at.caption)


def test_an_admin_sets_a_quarter_target_on_people_and_roles(monkeypatch, monday_db):
    at = open_page(monkeypatch, monday_db, "people")
    assert at.selectbox(key="target_owner").options == ["The team", "Ana", "Bo", "Cy"]
    assert at.text_input(key="target_quarter").value == "2026-Q4"  # today's quarter
    at.selectbox(key="target_owner").set_value("Bo")
    at.number_input(key="target_amount").set_value(2500)
    next(b for b in at.button if b.label == "Set target").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["2026\\-Q4 target of Bo\\: 2,500 USD"]
    table = frame_with(at, "Whose", "Amount", "Set by")
    assert table[["Quarter", "Whose", "Amount", "Currency"]].values.tolist() == [
        ["2026-Q4", "Ana", "USD 1,000", "USD"], ["2026-Q4", "Bo", "USD 2,500", "USD"]]
    # the team's target read back on This week: its own is not set, so the sum of the owners'
    at = open_page(monkeypatch, monday_db, "week", **PERIOD)
    assert {m.label: m.value for m in at.metric}["Target"] == "3,500"
    # a quarter mistyped is refused with a sentence, nothing written
    at = open_page(monkeypatch, monday_db, "people")
    at.text_input(key="target_quarter").set_value("Q4")
    next(b for b in at.button if b.label == "Clear target").click().run()
    assert [e.value for e in at.error] == ["'Q4' is not a quarter\\: write it as 2026\\-Q4"]


def test_past_forecasts_are_read_only_when_someone_opens_them(monkeypatch, pipeline_db):
    """This week's "How far to trust it" runs its query when opened, not on every first view of the page."""
    import functools

    from sales import forecast

    asked = []
    real = forecast.accuracy_report

    @functools.wraps(real)  # the query cache finds a function by its dotted name
    def counted(*a):
        asked.append(a[1:])
        return real(*a)

    monkeypatch.setattr(forecast, "accuracy_report", counted)
    at = open_page(monkeypatch, pipeline_db, "week")
    trust = "How far to trust it: past forecasts against what was won"
    assert trust in [e.label for e in at.expander] and asked == []
    at.session_state["week_trust"] = True  # what opening it does
    at.run()
    assert not at.exception and asked and all(a[1] == 12 for a in asked)  # twelve past months
    drawn = [c.value[:40] for c in at.caption if c.value.startswith(("No past month", "At the start of each"))]
    assert drawn == ["At the start of each month: the leads th"]  # drawn: the store has past months
