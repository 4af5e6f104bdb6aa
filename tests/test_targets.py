"""Quarter targets per owner and for the team, and the managers' per-owner table, worked by hand.

Today is Wednesday 25 November 2026 (quarter 2026-Q4); tests/fixtures/currencies.toml: 1 EUR = 1.10 USD.
Fewer than 30 closed leads: every stage uses its fallback probability (Generating Leads 0.02).

| lead | owner | category | created | contact     | amount     | expected   | follow-up   | stuck (30 d) | weighted |
|------|-------|----------|---------|-------------|------------|------------|-------------|--------------|----------|
| 1    | Ana   | High     | 1 Oct   | 10 Nov      | 10,000 USD | 15 Dec     | overdue     | 55 d: yes    | 200 USD  |
| 2    | Ana   | Medium   | 20 Nov  | none        | 5,000 EUR  | 30 Nov     | due 4 Dec   | 5 d: no      | 100 EUR  |
| 3    | Bo    | Low      | 1 Nov   | 24 Nov      | 20,000 USD | 15 Jan '27 | due 24 Dec  | 24 d: no     | next Q   |
| 4    | Bo    | High     | 1 Oct   |             | 3,000 USD  |            | won: none   |              |          |
| 5    | —     | High     | 1 Oct   | 1 Nov       | 1,000 USD  | 1 Dec      | overdue     | 55 d: yes    | 20 USD   |
Targets for 2026-Q4: Ana 1,000, Cy 500 (no leads), the team 5,000; Bo none.
Ana's forecast: 200 + 100 × 1.10 = 310, against 1,000: −690, 31 %.
"""

import subprocess
import sys
from datetime import date

import pytest

from sales import access, targets
from sales.access import AccessDenied
from sales.audit import AuditFilter, trail
from sales.lifecycle import default_lifecycle
from sales.managers import owner_table
from sales.money import default_currencies
from sales.targets import clear_target, parse_quarter, quarter_bounds, set_target, target_for
from sales.week import this_week
from tests.conftest import ADMIN, BIZDEV, ROOT, VIEWER
from tests.test_attention import HIGH, LOW, MEDIUM, add
from tests.test_forecast import tuned_lifecycle

TODAY = date(2026, 11, 25)
Q4 = "2026-Q4"


def team(store) -> None:
    with store.transaction() as cur:
        add(cur, 1, "Ana's overdue and stuck", HIGH, created="2026-10-01", contacts=["2026-11-10 09:00"], amount=10000)
        add(cur, 2, "Ana's new", MEDIUM, created="2026-11-20", amount=5000)
        add(cur, 3, "Bo's next quarter", LOW, owner="Bo", created="2026-11-01", contacts=["2026-11-24 09:00"],
            amount=20000)
        add(cur, 4, "Bo's won", HIGH, owner="Bo", created="2026-10-01", status="won", amount=3000)
        add(cur, 5, "Nobody's", HIGH, owner=None, created="2026-10-01", contacts=["2026-11-01 09:00"], amount=1000)
        cur.execute("UPDATE leads SET currency = 'EUR' WHERE id = 2")
        cur.execute("""UPDATE leads SET expected_close = CASE id WHEN 1 THEN DATE '2026-12-15'
                       WHEN 2 THEN DATE '2026-11-30' WHEN 3 THEN DATE '2027-01-15' WHEN 5 THEN DATE '2026-12-01' END""")
    set_target(store, ADMIN, Q4, 1000, "Ana")
    set_target(store, ADMIN, Q4, 500, "Cy", new_owner=True)
    set_target(store, ADMIN, Q4, 5000)


def test_the_per_owner_table(store):
    team(store)
    rows = owner_table(store.cursor(), TODAY)
    got = [(r.owner, r.open_leads, r.overdue, r.stuck, round(r.forecast, 2),
            None if r.target != r.target else r.target, None if r.share_of_target != r.share_of_target
            else round(r.share_of_target, 4)) for r in rows.itertuples()]
    assert got == [("Ana", 2, 1, 1, 310.0, 1000, 0.31),
                   ("Bo", 1, 0, 0, 0.0, None, None),
                   ("Cy", 0, 0, 0, 0.0, 500, 0.0),
                   ("(no owner)", 1, 1, 1, 20.0, None, None)]
    assert rows.loc[0, "forecast_minus_target"] == pytest.approx(-690)
    # chosen owners only, in the order asked
    assert owner_table(store.cursor(), TODAY, ("Bo", "Ana"))["owner"].tolist() == ["Bo", "Ana"]


def test_a_forecast_is_compared_with_the_target_of_its_own_leads(store, monkeypatch, tmp_path):
    team(store)
    cur = store.cursor()
    ana = this_week(cur, TODAY, ("Ana",)).quarter
    assert (round(ana["total"], 2), ana["target"], ana["target_basis"]) == (310.0, 1000, "Ana's target for 2026-Q4")
    bo = this_week(cur, TODAY, ("Bo",)).quarter
    assert (bo["target"], bo["target_basis"]) == (None, "no target set for Bo for 2026-Q4")
    both = this_week(cur, TODAY, ("Ana", "Bo")).quarter
    assert (both["target"], both["target_basis"]) == (1000, "the sum of Ana's targets for 2026-Q4 (Bo: none set)")
    # everyone's leads: the team's own target, else the owners' sum, else data/lifecycle.toml's, else none
    everyone = this_week(cur, TODAY).quarter
    assert (everyone["target"], everyone["target_basis"]) == (5000, "the team's target for 2026-Q4")
    clear_target(store, ADMIN, Q4)
    assert target_for(store.cursor(), Q4).amount == 1500
    clear_target(store, ADMIN, Q4, "Ana")
    clear_target(store, ADMIN, Q4, "Cy")
    fallback = target_for(store.cursor(), Q4)
    assert (fallback.amount, fallback.basis) == (400000, "[forecast] quarter_target in data/lifecycle.toml")
    monkeypatch.setenv("SALES_LIFECYCLE", tuned_lifecycle(tmp_path, quarter_target=0))
    default_lifecycle.cache_clear()
    try:
        assert target_for(store.cursor(), Q4).amount is None
    finally:
        monkeypatch.delenv("SALES_LIFECYCLE")
        default_lifecycle.cache_clear()


def test_a_target_keeps_the_currency_it_was_set_in(store, monkeypatch, tmp_path):
    """Set while the reporting currency was EUR: read under USD at 1.10; a currency with no rate is left out."""
    team(store)
    eur = tmp_path / "currencies.toml"
    eur.write_text('reporting = "EUR"\n', encoding="utf-8")
    monkeypatch.setenv("SALES_CURRENCIES", str(eur))
    default_currencies.cache_clear()
    try:
        set_target(store, ADMIN, Q4, 2000, "Bo")
    finally:
        monkeypatch.undo()
        default_currencies.cache_clear()
    with store.transaction() as cur:  # as if set under a reporting currency of which the file has no rate now
        cur.execute("UPDATE sales_targets SET currency = 'JPY', amount = 80000 WHERE owner = 'Cy'")
    held, left = targets.owner_targets(store.cursor(), Q4)
    assert (held, left) == ({"Ana": 1000, "Bo": pytest.approx(2200)}, ["Cy"])
    cy = target_for(store.cursor(), Q4, ("Cy",))
    assert (cy.amount, cy.left_out) == (None, ("Cy",))
    clear_target(store, ADMIN, Q4)
    summed = target_for(store.cursor(), Q4)
    assert (summed.amount, summed.basis, summed.left_out) == (
        pytest.approx(3200), "the sum of 2 owners' targets for 2026-Q4", ("Cy",))
    assert targets.targets(store.cursor(), Q4)[["owner", "amount", "currency"]].values.tolist() == [
        ["Ana", 1000.0, "USD"], ["Bo", 2000.0, "EUR"], ["Cy", 80000.0, "JPY"]]


def test_setting_a_target_is_an_admins_write_in_the_audit_trail(store):
    team(store)
    for who in (BIZDEV, VIEWER):
        with pytest.raises(AccessDenied, match="may not set sales targets: that needs the admin role"):
            set_target(store, who, Q4, 1, "Ana")
    # a signed-in admin demoted meanwhile is refused by the write itself
    access.grant(store, ADMIN, "boss@agency.example", "admin")
    access.grant(store, ADMIN, "ada@agency.example", "admin")
    ada = access.signed_in("ada@agency.example", "admin")
    access.grant(store, ADMIN, "ada@agency.example", "viewer")
    with pytest.raises(AccessDenied):
        set_target(store, ada, Q4, 1, "Ana")
    assert set_target(store, ADMIN, Q4, 1200, "Ana") == 1000
    rows = trail(store.cursor(), ADMIN, AuditFilter(kind="target"))
    assert rows[["who", "what", "before", "after"]].fillna("").values.tolist()[:2] == [
        ["admin@agency.example", "2026-Q4 target of Ana", "1,000 USD", "1,200 USD"],
        ["admin@agency.example", "2026-Q4 target of the team", "", "5,000 USD"]]
    # a name no lead carries is a typo unless said to be a new owner; nothing is written
    with pytest.raises(ValueError, match="no lead has the owner 'Anna'"):
        set_target(store, ADMIN, Q4, 1, "Anna")
    for bad in ("-5", "1,5", "nan", "lots"):
        with pytest.raises(ValueError):
            set_target(store, ADMIN, Q4, bad, "Ana")
    with pytest.raises(ValueError, match="write it as 2026-Q4"):
        set_target(store, ADMIN, "Q4 2026", 1, "Ana")
    assert targets.targets(store.cursor(), Q4)["amount"].tolist() == [5000, 1200, 500]


def test_quarters():
    assert parse_quarter("2026q4") == parse_quarter(" 2026-Q4 ") == "2026-Q4"
    assert quarter_bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds("2027-Q1") == (date(2027, 1, 1), date(2027, 3, 31))
    assert targets.next_quarter("2026-Q4") == "2027-Q1" and targets.next_quarter("2027-Q2") == "2027-Q3"


def test_targets_and_the_per_owner_table_from_the_command_line(store):
    team(store)
    db = store.path
    store.close()

    def run(*args):
        return subprocess.run([sys.executable, "-m", "sales", *args, "--db", str(db)], cwd=ROOT, capture_output=True,
                              text=True)

    r = run("targets", "set", "Bo", "2026-Q4", "2500")
    assert (r.returncode, r.stdout.strip()) == (0, "2026-Q4 target of Bo: 2,500 USD")
    r = run("targets", "set", "--team", "2026-Q4", "6000")
    assert r.stdout.strip() == "2026-Q4 target of the team: 6,000 USD (was 5,000)"
    r = run("targets", "set", "Bob", "2026-Q4", "2500")
    assert r.returncode == 2 and r.stderr.startswith("error: no lead has the owner 'Bob'")
    r = run("targets", "set", "Bo", "2026-Q4")
    assert (r.returncode, r.stderr.strip()) == (2, "error: targets set needs OWNER QUARTER AMOUNT")
    r = run("targets", "clear", "Cy", "2026-Q4")
    assert r.stdout.strip() == "2026-Q4 target of Cy cleared (was 500)"
    r = run("targets", "list", "--quarter", "2026-Q4")
    assert r.stdout.split()[:5] == ["Quarter", "Owner", "Amount", "Currency", "Set"]  # words, not the keys
    assert [line.split()[:4] for line in r.stdout.splitlines()[1:]] == [
        ["2026-Q4", "(team)", "USD", "6,000"], ["2026-Q4", "Ana", "USD", "1,000"], ["2026-Q4", "Bo", "USD", "2,500"]]
    r = run("report", "owners", "--today", "2026-11-25", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:4] == [
        "owner,open_leads,overdue,stuck,forecast,target,forecast_minus_target,share_of_target,currency,not_converted",
        "Ana,2,1,1,310.0,1000.0,-690.0,0.31,USD,", "Bo,1,0,0,0.0,2500.0,-2500.0,0.0,USD,"]
