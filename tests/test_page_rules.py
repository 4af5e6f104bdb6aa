"""Rules that used to live in the pages, each one function in sales/ pinned here by hand: what a converted
figure leaves out, the currencies a small project is priced in, whose leads a person sees, and who may
read the audit trail."""

import pytest

from sales import access, audit
from sales.access import AccessDenied, Actor
from sales.digest import Smtp, recipients
from sales.money import NO_CURRENCY, default_currencies, not_converted
from sales.week import own_leads
from sales.workbench import offer_currencies
from tests.conftest import ADMIN, BIZDEV, VIEWER


@pytest.mark.parametrize("left, said", [
    ({}, ""),
    ({"JPY": 120000.4, NO_CURRENCY: 3000 / 7},
     "Not converted (no rate, or no currency): 120,000 JPY, 429 no currency."),
    ({"JPY": None}, "Not converted (no rate, or no currency): JPY."),  # the figures show the amounts already
])
def test_what_a_converted_figure_leaves_out(left, said):
    assert not_converted(left) == said


@pytest.mark.parametrize("currency, offered", [
    ("EUR", ("EUR", "USD", "GBP")),  # tests/fixtures/currencies.toml: USD, with rates for EUR and GBP
    (" cad ", ("CAD", "USD", "EUR", "GBP")),  # the lead's own currency, even without a rate
    (None, ("USD", "EUR", "GBP")),
    ("", ("USD", "EUR", "GBP")),
])
def test_a_small_project_is_priced_in_the_leads_currency_or_one_the_rates_know(currency, offered):
    assert default_currencies().codes == ("USD", "EUR", "GBP")
    assert offer_currencies({"currency": currency}) == offered


def _team(store) -> None:
    """Ana works leads as Ana; the boss administers and owns leads as Cy; Bob works leads with no CRM name yet;
    Vi only views, though an admin recorded a CRM name for her."""
    for who, role, owner in [("ana@agency.example", "bizdev", "Ana"), ("boss@agency.example", "admin", "Cy"),
                             ("bob@agency.example", "bizdev", None), ("vi@agency.example", "viewer", "Vi")]:
        access.grant(store, ADMIN, who, role)
        if owner:
            access.set_crm_owner(store, ADMIN, who, owner)


@pytest.mark.parametrize("who, role, seen", [
    ("ana@agency.example", "bizdev", ("Ana",)),
    ("boss@agency.example", "admin", ("Cy",)),  # an admin who works leads sees their own, as their mail says
    ("bob@agency.example", "bizdev", ()),  # no CRM name: everyone's, and he chooses
    ("vi@agency.example", "viewer", ()),  # may not work leads: everyone's
    ("local", "admin", ()),  # local mode: the one person has no CRM name
])
def test_whose_leads_a_person_sees_by_default(store, who, role, seen):
    _team(store)
    assert own_leads(store.cursor(), Actor(who, role)) == seen


def test_the_digest_goes_to_whoever_sees_leads_of_their_own_and_to_the_managers(store):
    _team(store)
    smtp = Smtp("127.0.0.1", 25, "sales@agency.example", managers=("head@agency.example",))
    assert recipients(store.cursor(), smtp) == [("head@agency.example", ()), ("ana@agency.example", ("Ana",)),
                                                ("boss@agency.example", ("Cy",))]
    # asked for one person: the leads of their CRM owner name, else of their email
    assert recipients(store.cursor(), smtp, "bob@agency.example") == [("bob@agency.example", ("bob@agency.example",))]


@pytest.mark.parametrize("reader", [BIZDEV, VIEWER, Actor("stranger@elsewhere.example", None)])
def test_only_an_admin_reads_the_audit_trail(store, reader):
    access.grant(store, ADMIN, "ana@agency.example", "viewer")
    assert audit.trail(store.cursor(), ADMIN)["what"].tolist() == ["ana@agency.example"]
    assert audit.people(store.cursor(), ADMIN) == ["admin@agency.example"]
    with pytest.raises(AccessDenied, match="may not read the audit trail: that needs the admin role"):
        audit.trail(store.cursor(), reader)
    with pytest.raises(AccessDenied, match="may not read the audit trail"):
        audit.people(store.cursor(), reader)
