"""What moved between two CRM exports a week apart, worked by hand (tests/fixtures/movement/).

crm-2026-11-09.csv is the CRM on Monday 9 November, crm-2026-11-16.csv a week later; every row carries
its CRM modified date. The period is 10–16 November: it opens with the leads as of 9 November and
closes with the leads as of 16 November. Amounts in thousands below.

| lead | who | 9 Nov (start)                        | 16 Nov (end)                            | movements              |
|------|-----|--------------------------------------|-----------------------------------------|------------------------|
| M01  | Ana | Proposal, 10 USD, exp 10 Dec         | won 12 Nov, 10 USD                      | won                    |
| M02  | Bo  | Blueprint, 8 EUR, exp 30 Nov         | lost 13 Nov, 8 EUR                      | lost                   |
| M03  | Ana | Assess Needs, 5 USD, exp 1 Dec       | Proposal, 6.5 USD                       | forward, amount        |
| M04  | Cy  | Proposal, 20 EUR, exp 15 Dec         | Blueprint, 20 EUR, exp 10 Feb 2027      | back, slipped          |
| M05  | Bo  | Blueprint, 7 USD, exp 20 Nov         | exp 20 Dec                              | slipped                |
| M06  | Cy  | Assess Needs, 4 USD, exp 20 Jan 2027 | exp 5 Dec (earlier: no movement)        |                        |
| M07  | Ana | (created 11 Nov)                     | Generating Leads, 3 EUR, exp 20 Dec     | created                |
| M08  | Bo  | (created 12 Nov)                     | Generating Leads, 9 USD, exp 1 Mar 2027 | created                |
| M09  | Cy  | (created 10 Nov)                     | won 14 Nov, 2.5 EUR                     | created, won           |
| M10  | Ana | Proposal, 5 EUR, exp 31 Dec          | 5.5 USD (currency changed)              | amount                 |
| M11  | Bo  | lost 20 Oct, 6 USD                   | reopened: Proposal, 6 USD, exp 12 Dec   | reopened               |
| M12  | Cy  | Assess Needs, no amount, exp 1 Dec   | the same                                | apart: no amount       |
| M13  | Ana | Blueprint, 4 EUR, no expected close  | the same                                | (apart, with a window) |
| M14  | Bo  | Blueprint, 15 EUR, exp 20 Dec        | 12 EUR                                  | amount                 |
| M15  | Cy  | Proposal, 3 USD, exp 25 Nov          | the same                                |                        |

Waterfall, every open lead (no close window):
  USD: start M01 10 + M03 5 + M05 7 + M06 4 + M15 3 = 29; created M08 9; reopened M11 6;
       increases M03 1.5 + M10 5.5 (its new currency) = 7; won M01 10;
       29 + 9 + 6 + 7 − 10 = 41 = end M03 6.5 + M05 7 + M06 4 + M08 9 + M10 5.5 + M11 6 + M15 3.
  EUR: start M02 8 + M04 20 + M10 5 + M13 4 + M14 15 = 52; created M07 3 + M09 2.5 = 5.5;
       decreases M10 5 (left EUR) + M14 3 = 8; won M09 2.5; lost M02 8;
       52 + 5.5 − 8 − 2.5 − 8 = 39 = end M04 20 + M07 3 + M13 4 + M14 12.

Close window 2026-Q4 (1 Oct – 31 Dec): M06 (20 Jan), M04 at the end (10 Feb), M08 (1 Mar) are out;
M13 has no expected close (apart); M09 is placed by its close date (14 Nov, in).
  USD: start M01 10 + M03 5 + M05 7 + M15 3 = 25; reopened M11 6; pulled in M06 4; increases 7; won M01 10;
       25 + 6 + 4 + 7 − 10 = 32 = end M03 6.5 + M05 7 + M06 4 + M10 5.5 + M11 6 + M15 3.
  EUR: start M02 8 + M04 20 + M10 5 + M14 15 = 48; created 5.5; decreases 8; pushed out M04 20; won 2.5;
       lost 8; 48 + 5.5 − 8 − 20 − 2.5 − 8 = 15 = end M07 3 + M14 12.

Close window 2027-Q1: USD start M06 4; created M08 9; pushed out M06 4 (now 5 Dec); 4 + 9 − 4 = 9 = end M08.
  EUR: start 0; pulled in M04 20; end 20.
"""

import json
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales.history import leads_as_of
from sales.ingest import import_file, undo_batch
from sales.movement import STEPS, movement
from sales.store import scalar
from tests.conftest import ADMIN, ROOT

FIX = ROOT / "tests" / "fixtures" / "movement"
FIRST, SECOND = FIX / "crm-2026-11-09.csv", FIX / "crm-2026-11-16.csv"
START, END = date(2026, 11, 10), date(2026, 11, 16)

MOVES = [  # kind, name, before, after
    ("created", "Ginkgo Labs", "", "Generating Leads"),
    ("created", "Hazel Partners", "", "Generating Leads"),
    ("created", "Ivy Online", "", "won"),
    ("won", "Alder University", "Proposal", "won"),
    ("won", "Ivy Online", "", "won"),
    ("lost", "Birch College", "Blueprint", "lost"),
    ("reopened", "Kapok Network", "lost", "Proposal"),
    ("moved forward", "Cedar Academy", "Assess Needs", "Proposal"),
    ("moved back", "Dogwood Institute", "Proposal", "Blueprint"),
    ("slipped", "Dogwood Institute", "2026-12-15", "2027-02-10"),
    ("slipped", "Elm School", "2026-11-20", "2026-12-20"),
    ("amount changed", "Cedar Academy", "5,000 USD", "6,500 USD"),
    ("amount changed", "Juniper Trust", "5,000 EUR", "5,500 USD"),
    ("amount changed", "Nutmeg Ltd", "15,000 EUR", "12,000 EUR"),
]
EVERY_OPEN_LEAD = {
    "USD": dict(start=29000, created=9000, reopened=6000, increases=7000, decreases=0, won=10000, lost=0, end=41000),
    "EUR": dict(start=52000, created=5500, reopened=0, increases=0, decreases=8000, won=2500, lost=8000, end=39000),
}
THIS_QUARTER = {
    "USD": dict(start=25000, created=0, reopened=6000, pulled_in=4000, increases=7000, decreases=0, pushed_out=0,
                won=10000, lost=0, end=32000),
    "EUR": dict(start=48000, created=5500, reopened=0, pulled_in=0, increases=0, decreases=8000, pushed_out=20000,
                won=2500, lost=8000, end=15000),
}


def adds_up(row: dict) -> bool:
    """open at the start + created + reopened (+ pulled in) + increases − decreases (− pushed out) − won − lost"""
    flows = sum(sign * row[step] for step, sign in STEPS.items() if step in row)
    return round(row["start"] + flows, 2) == row["end"]


@pytest.fixture
def db(store):
    """The store after both exports, imported through the public path."""
    first, second = import_file(store, ADMIN, FIRST), import_file(store, ADMIN, SECOND)
    assert (first.imported, first.rejected) == (12, 0)
    # three new leads, nine changed (M01–M06, M10, M11, M14), three as they were (M12, M13, M15)
    assert (second.imported, second.updated, second.duplicates, second.stale, second.rejected) == (3, 9, 3, 0, 0)
    path = store.path
    store.close()
    return path


def report(db, *args) -> dict:
    r = subprocess.run([sys.executable, "-m", "sales", "report", "movement", "--db", str(db), "--format", "json",
                        *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def by_currency(rows: list[dict]) -> dict:
    return {r.pop("currency"): r for r in rows}


def test_every_movement_and_the_waterfall_of_every_open_lead(db):
    got = report(db, "--from", "2026-11-10", "--to", "2026-11-16")
    assert [(m["kind"], m["name"], m["before"], m["after"]) for m in got["movements"]] == MOVES
    waterfall = by_currency(got["waterfall"])
    assert waterfall == EVERY_OPEN_LEAD  # without a close window: no pulled in, no pushed out
    assert all(adds_up(row) for row in waterfall.values())
    # who is behind each step
    steps = sorted((s["currency"], s["step"], s["name"], s["value"]) for s in got["waterfall by lead"])
    assert steps == sorted([
        ("USD", "created", "Hazel Partners", 9000), ("USD", "reopened", "Kapok Network", 6000),
        ("USD", "increases", "Cedar Academy", 1500), ("USD", "increases", "Juniper Trust", 5500),
        ("USD", "won", "Alder University", 10000),
        ("EUR", "created", "Ginkgo Labs", 3000), ("EUR", "created", "Ivy Online", 2500),
        ("EUR", "decreases", "Juniper Trust", 5000), ("EUR", "decreases", "Nutmeg Ltd", 3000),
        ("EUR", "won", "Ivy Online", 2500), ("EUR", "lost", "Birch College", 8000)])
    # the lead without an amount is listed apart; the one without an expected close counts here
    assert [(a["name"], a["reason"]) for a in got["listed apart"]] == [("Larch Society", "no amount")]


def test_a_close_window_counts_only_leads_expected_to_close_in_it(db):
    got = report(db, "--from", "2026-11-10", "--to", "2026-11-16", "--close-from", "2026-10-01",
                 "--close-to", "2026-12-31")
    waterfall = by_currency(got["waterfall"])
    assert waterfall == THIS_QUARTER
    assert all(adds_up(row) for row in waterfall.values())
    assert [(m["kind"], m["name"], m["before"], m["after"]) for m in got["movements"]] == MOVES  # the same moves
    window_steps = sorted((s["step"], s["name"]) for s in got["waterfall by lead"]
                          if s["step"] in ("pulled_in", "pushed_out"))
    assert window_steps == [("pulled_in", "Fir Foundation"), ("pushed_out", "Dogwood Institute")]
    assert [(a["name"], a["reason"]) for a in got["listed apart"]] == [
        ("Larch Society", "no amount"), ("Maple Guild", "no expected close")]
    # next quarter: M06 leaves it for December, M04 arrives from December, M08 is new in it
    nxt = by_currency(report(db, "--from", "2026-11-10", "--to", "2026-11-16", "--close-from", "2027-01-01",
                             "--close-to", "2027-03-31")["waterfall"])
    assert nxt["USD"] == dict(start=4000, created=9000, reopened=0, pulled_in=0, increases=0, decreases=0,
                              pushed_out=4000, won=0, lost=0, end=9000)
    assert nxt["EUR"] == dict(start=0, created=0, reopened=0, pulled_in=20000, increases=0, decreases=0,
                              pushed_out=0, won=0, lost=0, end=20000)


def test_the_waterfall_chart_bars(db):
    """This quarter in USD: each bar from the running total to where its step takes it."""
    from sales.store import Store

    with Store(db) as s:
        bars = movement(s.cursor(), START, END, date(2026, 10, 1), date(2026, 12, 31)).bars("USD")
    assert bars[["label", "value", "begin", "finish", "kind"]].values.tolist() == [
        ["Open at the start", 25000, 0, 25000, "open value"], ["Created", 0, 25000, 25000, "adds"],
        ["Reopened", 6000, 25000, 31000, "adds"], ["Pulled in", 4000, 31000, 35000, "adds"],
        ["Increases", 7000, 35000, 42000, "adds"], ["Decreases", 0, 42000, 42000, "takes away"],
        ["Pushed out", 0, 42000, 42000, "takes away"], ["Won", -10000, 42000, 32000, "takes away"],
        ["Lost", 0, 32000, 32000, "takes away"], ["Open at the end", 32000, 0, 32000, "open value"]]


def test_one_owners_leads(db):
    """Ana: M01 (won), M03 (forward, amount), M07 (created), M10 (currency changed), M13 (unchanged).
    USD: 15 + increases 7 − won 10 = 12 (M03 6.5 + M10 5.5); EUR: 9 + created 3 − decreases 5 = 7 (M07 3 + M13 4)."""
    got = report(db, "--from", "2026-11-10", "--to", "2026-11-16", "--owner", "Ana")
    assert by_currency(got["waterfall"]) == {
        "EUR": dict(start=9000, created=3000, reopened=0, increases=0, decreases=5000, won=0, lost=0, end=7000),
        "USD": dict(start=15000, created=0, reopened=0, increases=7000, decreases=0, won=10000, lost=0, end=12000)}
    assert {m["name"] for m in got["movements"]} == {"Alder University", "Cedar Academy", "Ginkgo Labs",
                                                      "Juniper Trust"}


def test_a_shorter_period_sees_only_what_the_crm_changed_by_its_end(db):
    """10–12 November: the changes modified by the 12th (M01, M03, M04, M14; M07, M08 created). Ivy Online,
    created on the 10th, was exported won on the 14th: on the 12th it reads as open, in Close.
    USD: 29 + created M08 9 + increases M03 1.5 − won M01 10 = 29.5;
    EUR: 52 + created M07 3 + M09 2.5 − decreases M14 3 = 54.5."""
    from sales.store import Store

    with Store(db) as s:
        m = movement(s.cursor(), START, date(2026, 11, 12))
    assert m.counts() == {"created": 3, "won": 1, "lost": 0, "reopened": 0, "moved forward": 1, "moved back": 1,
                          "slipped": 1, "amount changed": 2}
    assert m.moves.loc[m.moves["name"] == "Ivy Online", ["kind", "after"]].values.tolist() == [["created", "Close"]]
    rows = {r["currency"]: r for r in m.waterfall.to_dict("records")}
    assert (rows["USD"]["start"], rows["USD"]["end"], rows["EUR"]["start"], rows["EUR"]["end"]) == (
        29000, 29500, 52000, 54500)
    assert all(adds_up(r) for r in rows.values())


def test_the_leads_as_of_a_date(db):
    from sales.store import Store

    with Store(db) as s:
        cur = s.cursor()
        assert leads_as_of(cur, date(2026, 6, 30)).empty  # the first lead, Kapok Network, was created on 1 July
        # on 19 August: only Kapok Network, whose first version (lost on 20 October) reads as open before then
        august = leads_as_of(cur, date(2026, 8, 19)).set_index("name")
        kapok = august.loc["Kapok Network"]
        assert (kapok["status"], pd.isna(kapok["closed_on"]), kapok["lost_reason"]) == ("open", True, None)
        assert august.index.tolist() == ["Kapok Network"]
        ninth = leads_as_of(cur, date(2026, 11, 9)).set_index("name")
        assert len(ninth) == 12 and "Ivy Online" not in ninth.index
        # Kapok Network had been lost; Juniper Trust was still in EUR; Alder University open at 10,000
        assert ninth.loc["Kapok Network", ["status", "lost_reason"]].tolist() == ["lost", "Chose another vendor"]
        assert ninth.loc["Juniper Trust", ["amount", "currency"]].tolist() == [5000, "EUR"]
        assert ninth.loc["Alder University", "status"] == "open"
        # before its first version was modified, a lead holds that version from its creation on
        assert leads_as_of(cur, date(2026, 8, 20)).set_index("name").loc["Dogwood Institute", "amount"] == 20000
        sixteenth = leads_as_of(cur, date(2026, 11, 16)).set_index("name")
        kapok = sixteenth.loc["Kapok Network"]
        assert (kapok["status"], pd.isna(kapok["lost_reason"]), pd.isna(kapok["closed_on"])) == ("open", True, True)
        alder = sixteenth.loc["Alder University"]
        assert (alder["status"], alder["closed_on"]) == ("won", pd.Timestamp("2026-11-12"))
        # the re-export recorded when the CRM changed each lead
        assert scalar(cur, "SELECT crm_modified_at::DATE FROM leads WHERE name = 'Juniper Trust'") == date(2026, 11, 15)


def test_without_a_modified_time_a_version_takes_effect_when_imported(store, tmp_path):
    header = "id,name,owner,created_on,stage,status,amount,currency,expected_close\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "A1,Quince Campus,Ana,2026-10-01,proposal,open,1000,USD,2026-12-01\n")
    second.write_text(header + "A1,Quince Campus,Ana,2026-10-01,proposal,open,1500,USD,2026-12-01\n")
    a = import_file(store, ADMIN, first)
    b = import_file(store, ADMIN, second)
    with store.transaction() as cur:  # as if imported on 2 and 12 November
        cur.execute("UPDATE import_batches SET imported_at = ? WHERE id = ?", ["2026-11-02 09:00", a.batch])
        cur.execute("UPDATE import_batches SET imported_at = ? WHERE id = ?", ["2026-11-12 17:30", b.batch])
    cur = store.cursor()
    assert leads_as_of(cur, date(2026, 11, 11))["amount"].tolist() == [1000]
    assert leads_as_of(cur, date(2026, 11, 12))["amount"].tolist() == [1500]
    m = movement(cur, START, END)
    assert m.moves[["kind", "before", "after"]].values.tolist() == [["amount changed", "1,000 USD", "1,500 USD"]]
    # undoing the second import takes its version away: nothing moved any more
    undo_batch(store, ADMIN, b.batch)
    assert movement(store.cursor(), START, END).moves.empty


def test_mistakes_are_refused_with_a_sentence(db):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "sales", "report", *args, "--db", str(db)], cwd=ROOT,
                              capture_output=True, text=True)

    r = run("movement", "--from", "2026-11-16", "--to", "2026-11-10")
    assert (r.returncode, r.stderr.strip()) == (2, "error: the period starts (2026-11-16) after it ends (2026-11-10)")
    r = run("movement", "--close-from", "2026-10-01")
    assert (r.returncode, r.stderr.strip()) == (2, "error: a close window needs both --close-from and --close-to")
    r = run("funnel", "--close-from", "2026-10-01", "--close-to", "2026-12-31")
    assert (r.returncode, r.stderr.strip()) == (2, "error: --close-from/--close-to are for report movement")


def test_the_managers_digest_says_what_moved(db):
    """Everyone's digest (the managers') on Monday 16 November: the same movements and the same waterfall."""
    r = subprocess.run([sys.executable, "-m", "sales", "digest", "--db", str(db), "--today", "2026-11-16"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert ("2026-11-10 to 2026-11-16: 3 created, 2 won, 1 lost, 1 reopened, 1 moved forward, 1 moved back, "
            "2 slipped, 3 amount changed; open pipeline EUR: 52,000 + created 5,500 − decreases 8,000 − won 2,500 − "
            "lost 8,000 = 39,000; USD: 29,000 + created 9,000 + reopened 6,000 + increases 7,000 − won 10,000 = "
            "41,000.") in text
    assert "| amount changed | Juniper Trust | Ana | 5,000 EUR → 5,500 USD |" in text  # before → after, as the page
    assert "| Owner | Open leads | Overdue | Stuck | Forecast (USD) | Target (USD) | Against target (USD) |" in text
    assert "| Ana | 4 |" in text and "| Cy | 4 |" in text
    # one person's digest has neither the table of owners nor the team's movements
    r = subprocess.run([sys.executable, "-m", "sales", "digest", "--db", str(db), "--today", "2026-11-16",
                        "--owner", "ana@agency.example"], cwd=ROOT, capture_output=True, text=True)
    assert "## Per owner" not in r.stdout and "## Since last week" not in r.stdout


# ---------------------------------------------------------------- any history adds up

DAY0 = date(2026, 10, 1)
days = st.integers(min_value=0, max_value=60)
version = st.fixed_dictionaries({
    "status": st.sampled_from(["open", "open", "won", "lost"]),
    "amount": st.one_of(st.none(), st.integers(0, 5000).map(lambda c: c * 1.25)),
    "currency": st.sampled_from(["USD", "EUR", None]),
    "expected": st.one_of(st.none(), days), "closed": st.one_of(st.none(), days),
    "stage": st.sampled_from([None, "generating_leads", "assess_needs", "proposal", "unmapped"]),
    "modified": st.one_of(st.none(), days), "imported": days})
lead = st.tuples(st.one_of(st.none(), days), st.lists(version, min_size=1, max_size=3))


@settings(max_examples=40, deadline=None)
@given(leads=st.lists(lead, min_size=1, max_size=6), period=st.tuples(days, days),
       window=st.one_of(st.none(), st.tuples(days, days)))
def test_any_history_adds_up(leads, period, window):
    """Whatever the versions, their dates and the window: every currency's waterfall adds up, and its end is
    the open value of the leads as of the last day."""
    from datetime import timedelta

    from sales.store import Store

    at = lambda n: None if n is None else DAY0 + timedelta(days=n)  # noqa: E731
    with Store(":memory:") as s, s.transaction() as cur:
        batch = 0
        for lead_id, (created, versions) in enumerate(leads, start=1):
            rows = []
            for v in versions:
                batch += 1
                cur.execute("INSERT INTO import_batches (id, file_name, kind, format, imported_at) VALUES "
                            "(?, 'f.csv', 'leads', 't', ?)", [batch, at(v["imported"])])
                rows.append((batch, v))
            fields = lambda v: [v["status"], v["amount"], v["currency"], at(v["expected"]),  # noqa: E731
                                at(v["closed"]) if v["status"] != "open" else None,
                                None if v["stage"] == "unmapped" else v["stage"], v["stage"], at(v["modified"])]
            first, last = rows[0][0], rows[-1][1]
            cur.execute("""INSERT INTO leads (id, source_system, external_id, name, owner, created_on, status, amount,
                           currency, expected_close, closed_on, recorded_stage, crm_stage, crm_modified_at, batch_id)
                           VALUES (?, 't', ?, ?, 'Ana', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        [lead_id, str(lead_id), f"lead {lead_id}", at(created), *fields(last), first])
            for (b, _), (_, before) in zip(rows[1:], rows[:-1]):  # each later batch replaced the version before
                cur.execute("""INSERT INTO lead_updates (batch_id, lead_id, name, owner, status, amount, currency,
                               expected_close, closed_on, recorded_stage, crm_stage, crm_modified_at)
                               VALUES (?, ?, ?, 'Ana', ?, ?, ?, ?, ?, ?, ?, ?)""",
                            [b, lead_id, f"lead {lead_id}", *fields(before)])
        first, last = sorted(period)
        close = (None, None) if window is None else tuple(at(n) for n in sorted(window))
        m = movement(cur, at(first), at(last), *close)
        end = leads_as_of(cur, at(last))
    for row in m.waterfall.to_dict("records"):
        assert adds_up(row), row
        assert all(v >= 0 for k, v in row.items() if k != "currency")
    end = end[(end["status"] == "open") & end["amount"].notna()]
    if close[0] is not None:
        end = end[end["expected_close"].notna() & (end["expected_close"] >= pd.Timestamp(close[0]))
                  & (end["expected_close"] <= pd.Timestamp(close[1]))]
    expected = end.assign(currency=end["currency"].fillna("no currency")).groupby("currency")["amount"].sum()
    got = m.waterfall.set_index("currency")["end"]
    assert {k: round(v, 2) for k, v in got.items() if v} == {k: round(v, 2) for k, v in expected.items() if v}
