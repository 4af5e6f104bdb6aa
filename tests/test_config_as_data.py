"""What the TOML files say, the product does: configuration text is data, never SQL."""

import re
import tomllib
from datetime import date

import pytest

from sales.ingest import import_file
from sales.leadstate import lead_state_sql
from sales.lifecycle import LifecycleError, parse_lifecycle
from sales.money import NO_CURRENCY, CurrencyError, parse_currencies
from sales.rubric import RubricError, parse_rubric, score_sql
from sales.sqltext import literal
from sales.templates import leads_header
from tests.conftest import ADMIN, ROOT

NASTY = ["Don't wait", 'say "hi"', "back\\slash \\n", "100% sure", "$1 and $name", "Zürich — naïve", "🔥 hot", "'",
         "?", "?::VARCHAR", "); DROP TABLE leads; --"]


@pytest.mark.parametrize("text", NASTY)
def test_a_literal_reads_back_as_the_text(store, text):
    assert store.cursor().execute(f"SELECT {literal(text)}").fetchall() == [(text,)]


def _rubric(names: list[str], weights=(2, 2, 2, 1, 3, 2, 3), texts: str = "") -> dict:
    keys = ["people_profile", "need", "budget", "contract_type", "prestige", "market_niche", "internal_bias"]
    top = 2 * sum(weights)
    return {"version": "t", "factor": [
        {"key": k, "name": f"{k} {texts}", "weight": w, "level_0": texts, "level_1": texts, "level_2": texts}
        for k, w in zip(keys, weights)], "category": [
        {"key": "hot", "name": names[0], "min": 20, "max": top, "stance": texts, "next_action": texts,
         "qualifies": True, "colour": "#ff0000"},
        {"key": "cold", "name": names[1], "min": 0, "max": 19, "stance": texts, "next_action": texts}]}


def test_renamed_categories_with_hostile_text_and_another_weight_run_in_sql(store):
    # weights now add to 15: the maximum is 30; "Hot" from 20 to 30, "Cold" below
    rubric = parse_rubric(_rubric(["Hot 🔥 'n' \"ready\"", "Cold \\ 100%"], texts="Don't $1 % \\ ü 🔥"))
    assert rubric.max_score == 30 and [c.colour for c in rubric.categories] == ["#ff0000", "#d4a72c"]
    with store.transaction() as cur:
        cur.execute("INSERT INTO leads (id, source_system, name, status) VALUES (1, 't', 'A', 'open'), "
                    "(2, 't', 'B', 'open')")
        cur.execute("INSERT INTO assessments (lead_id, assessed_at, rubric_version, people_profile, need, budget, "
                    "contract_type, prestige, market_niche, internal_bias) VALUES "
                    "(1, now(), 't', 2, 2, 2, 2, 2, 2, 2), (2, now(), 't', 2, 2, 2, 0, 0, 0, 0)")
        cur.execute("INSERT INTO lead_facts (lead_id, fact, value) VALUES (1, 'inquiry_received', true), "
                    "(1, 'responsive', true), (2, 'inquiry_received', true), (2, 'responsive', true)")
    expr = score_sql({k: k for k in rubric.keys}, rubric)
    rows = store.cursor().execute(f"SELECT lead_id, {expr['score']}, {expr['category']} FROM assessments "
                                  "ORDER BY lead_id").fetchall()
    # lead 1: every level 2, 2 × 15 = 30; lead 2: 2 × (2 + 2 + 2) = 12
    assert rows == [(1, 30, "Hot 🔥 'n' \"ready\""), (2, 12, "Cold \\ 100%")]
    state = store.cursor().execute(f"SELECT id, stage FROM ({lead_state_sql(rubric=rubric)}) ORDER BY id").fetchall()
    # both asked and are responsive; only the "qualifies" category passes the scored gate
    assert state == [(1, "assess_needs"), (2, "prospect_qualification")]


@pytest.mark.parametrize("change, message", [
    ({"colour": "red"}, "colour 'red' must be #RRGGBB"),
    ({"qualifies": "yes"}, "qualifies must be true or false"),
    ({"name": "Cold"}, "category names repeat"),
    ({"name": "Not assessed"}, "no category may be called 'Not assessed'"),
])
def test_the_loader_names_the_entry_and_field(change, message):
    doc = _rubric(["Hot", "Cold"], texts="x")
    doc["category"][0].update(change)
    with pytest.raises(RubricError, match=message):
        parse_rubric(doc)


def test_a_hand_set_delivery_milestone_reaches_billing_for_any_pricing(store, tmp_path):
    """Three leads past every gate up to Development; the Development gate is the delivery milestone,
    set in the file's own column. Hourly, fixed and unpriced alike reach Billing (it was overridden by
    month_of_work_done / project_complete, which no layout provides)."""
    header = leads_header()
    facts = ["inquiry_received", "responsive", "needs_documented", "blueprint_completed", "proposal_delivered",
             "proposal_accepted", "onboarding_done", "kickoff_held", "tracking_set", "epics_scheduled",
             "delivery_milestone"]
    rows = []
    for i, pricing in enumerate(["hourly", "fixed", ""], start=1):
        row = dict.fromkeys(header, "")
        row.update(id=f"L-{i}", name=f"Lead {i}", created_on="2026-01-10", pricing=pricing,
                   **{k: "2" for k in ("people_profile", "need", "budget", "contract_type", "prestige",
                                       "market_niche", "internal_bias")}, **dict.fromkeys(facts, "yes"))
        rows.append(",".join(row[h] for h in header))
    f = tmp_path / "leads.csv"
    f.write_text(",".join(header) + "\n" + "\n".join(rows) + "\n")
    assert import_file(store, ADMIN, f).imported == 3
    stages = store.cursor().execute(f"SELECT name, stage FROM ({lead_state_sql()}) ORDER BY id").fetchall()
    assert stages == [("Lead 1", "billing"), ("Lead 2", "billing"), ("Lead 3", "billing")]


def test_offers_and_free_discovery_come_from_the_file():
    doc = _rubric(["Hot", "Cold"], texts="x")
    doc["category"][0].update(free_discovery=True, offer="Let's talk: the discovery is on us.")
    rubric = parse_rubric(doc)
    assert [(c.name, c.free_discovery, c.offer) for c in rubric.categories] == [
        ("Hot", True, "Let's talk: the discovery is on us."), ("Cold", False, "")]
    from sales.rubric import default_rubric
    from sales.workbench import followup_email

    top = default_rubric().categories[0]  # data/rubric.toml: High, free discovery
    assert (top.name, top.free_discovery) == ("High", True)
    assert followup_email({"name": "A"}, {}, "", top.name, "Ana").splitlines()[-4] == top.offer


@pytest.mark.parametrize("change, message", [
    (lambda doc: doc["stage"][1].update(name=doc["stage"][0]["name"]), "duplicate stage names"),
    (lambda doc: doc["stage"][0].update(key="Generating Leads"), "stage #1: key 'Generating Leads' must be"),
    (lambda doc: doc["stage"][0]["gate"][0].pop("label"), "stage 'generating_leads', gate criterion #1: 'label'"),
    (lambda doc: doc["stage"][2]["gate"][0].update(fact="needs documented"), "fact 'needs documented' must be"),
])
def test_the_lifecycle_loader_names_the_stage_and_field(change, message):
    doc = tomllib.loads((ROOT / "data" / "lifecycle.toml").read_text(encoding="utf-8"))
    change(doc)
    with pytest.raises(LifecycleError, match=message):
        parse_lifecycle(doc)


@pytest.mark.parametrize("doc, message", [
    ({}, "reporting must be a three-letter currency code"),
    ({"reporting": "usd"}, "reporting must be a three-letter currency code"),
    ({"reporting": "USD", "rates": {"EUR": {"rate": 0, "as_of": date(2026, 1, 1)}}}, "[rates.EUR]: rate must be"),
    ({"reporting": "USD", "rates": {"EUR": {"rate": 1.1}}}, "[rates.EUR]: give exactly 'rate' and 'as_of'"),
    ({"reporting": "USD", "rates": {"EUR": {"rate": 1.1, "as_of": "soon"}}}, "[rates.EUR]: as_of must be a date"),
    ({"reporting": "USD", "rates": {"Euro": {"rate": 1.1, "as_of": date(2026, 1, 1)}}}, "[rates.Euro]: the currency"),
])
def test_the_currencies_loader_names_the_setting(doc, message):
    with pytest.raises(CurrencyError, match=re.escape(message)):
        parse_currencies(doc)


def test_conversion_never_treats_an_unknown_currency_as_the_reporting_one():
    rates = parse_currencies({"reporting": "USD", "rates": {"EUR": {"rate": 1.25, "as_of": date(2026, 1, 1)}}})
    got = rates.convert({"USD": 100, "EUR": 100, "JPY": 1000, NO_CURRENCY: 7})
    assert (got.total, dict(got.unconverted)) == (225, {"JPY": 1000, NO_CURRENCY: 7})
    assert rates.note(["EUR", "USD"]).startswith("Converted to USD at 1 EUR = 1.25 USD (rate of 2026-01-01)")


@pytest.mark.parametrize("change, message", [
    (("[forecast]\n", "[forecast]\nsurprise = 1\n"), "[forecast]: unknown setting 'surprise'"),
    (("best_case = 0.4", "best_case = 0.9"), "best_case must not be above commit"),
    (("commit = 0.7", "commit = 7"), "commit must be a number from 0 to 1"),
    (("win_probability = 0.5\n", "win_probability = 1.5\n"), "stage 'proposal': win_probability must be"),
    (("stuck_after_days = 21\n", "stuck_after_days = 0\n"), "stage 'prospect_qualification': stuck_after_days"),
])
def test_the_forecast_settings_are_checked(change, message):
    text = (ROOT / "data" / "lifecycle.toml").read_text(encoding="utf-8").replace(*change, 1)
    with pytest.raises(LifecycleError, match=re.escape(message)):
        parse_lifecycle(tomllib.loads(text))


def test_a_cadence_must_be_whole_days():
    doc = tomllib.loads((ROOT / "data" / "rubric.toml").read_text(encoding="utf-8"))
    doc["category"][0]["follow_up_days"] = 0
    with pytest.raises(RubricError, match="category 'high': follow_up_days must be a whole number of days"):
        parse_rubric(doc)
    doc["category"][0]["follow_up_days"] = 7
    doc["rescore_after_days"] = "often"
    with pytest.raises(RubricError, match="rescore_after_days must be a whole number"):
        parse_rubric(doc)


@pytest.mark.parametrize("rate", [True, float("nan"), -1.5, "1.1"])
def test_a_rate_is_a_positive_number_and_nothing_else(rate):
    with pytest.raises(CurrencyError, match=re.escape("[rates.EUR]: rate must be a positive number")):
        parse_currencies({"reporting": "USD", "rates": {"EUR": {"rate": rate, "as_of": date(2026, 1, 1)}}})


def test_a_currencies_file_named_by_a_relative_path_is_read_from_where_the_program_runs(tmp_path, monkeypatch):
    from sales.money import default_currencies

    (tmp_path / "rates.toml").write_text('reporting = "EUR"\n[rates.USD]\nrate = 0.9\nas_of = 2026-02-01\n',
                                         encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALES_CURRENCIES", "rates.toml")
    default_currencies.cache_clear()
    try:
        got = default_currencies()
        assert (got.reporting, got.factor("USD"), got.source) == ("EUR", 0.9, "rates.toml")
        monkeypatch.chdir(ROOT)  # inside the project: named from its root, as the page shows it
        monkeypatch.setenv("SALES_CURRENCIES", "tests/fixtures/../fixtures/currencies.toml")
        default_currencies.cache_clear()
        got = default_currencies()
        assert (got.reporting, got.factor("GBP"), got.source) == ("USD", 1.25, "tests/fixtures/currencies.toml")
    finally:
        monkeypatch.undo()
        default_currencies.cache_clear()
