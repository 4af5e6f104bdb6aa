"""Lead owner names: a person is tied to an owner name the store knows, a typo is refused with the names it
looks like, and a new owner is said to be new (sales/owners.py, through access.grant and the command line)."""

import subprocess
import sys

import pytest

from sales import access, audit, owners
from sales.access import Actor
from sales.store import Store
from tests.conftest import ADMIN, BIZDEV, ROOT

# the owner names the CRM wrote on three leads (one name twice, one lead without an owner)
LEADS = [(1, "Amara Okafor"), (2, "Chen Wei"), (3, "Amara Okafor"), (4, None)]


def _leads(store) -> None:
    with store.transaction() as cur:
        for lead_id, owner in LEADS:
            cur.execute("""INSERT INTO leads (id, source_system, external_id, name, organisation, owner, status)
                           VALUES (?, 'test', ?, ?, ?, ?, 'open')""", [lead_id, str(lead_id), f"L{lead_id}",
                                                                       f"L{lead_id}", owner])


@pytest.fixture
def crm(store):
    _leads(store)
    return store


def grants(store) -> list[tuple]:
    return store.cursor().execute("SELECT who, role, crm_owner FROM access_grants ORDER BY who").fetchall()


def test_the_store_knows_the_owner_names_on_its_leads_and_grants(crm):
    assert owners.known_owners(crm.cursor()) == ["Amara Okafor", "Chen Wei"]
    access.grant(crm, ADMIN, "new@agency.example", "bizdev", "Dana New", new_owner=True)
    assert owners.known_owners(crm.cursor()) == ["Amara Okafor", "Chen Wei", "Dana New"]
    # once recorded for a person, the name is known: a target or a second grant may use it without --new-owner
    access.grant(crm, ADMIN, "other@agency.example", "viewer", "Dana New")


@pytest.mark.parametrize("typed, close", [
    ("Amara Okafr", ["Amara Okafor"]),  # a letter missing
    ("amara okafor", ["Amara Okafor"]),  # the case differs: as the CRM writes it, or it matches no lead
    ("Chen", ["Chen Wei"]),
    ("Zoltan Kovacs", []),  # nothing like it
])
def test_a_name_the_store_does_not_know_is_refused_with_the_names_it_looks_like(crm, typed, close):
    before = grants(crm)
    with pytest.raises(owners.UnknownOwner) as refused:
        access.grant(crm, ADMIN, "ana@agency.example", "bizdev", typed)
    assert refused.value.close == close
    assert f"no lead has the owner {typed!r}" in str(refused.value)
    assert all(repr(c) in str(refused.value) for c in close)
    assert "--new-owner" in str(refused.value)
    assert grants(crm) == before == []  # neither the role nor the name: the grant is one write


def test_a_known_name_is_recorded_as_the_crm_writes_it(crm):
    assert access.grant(crm, ADMIN, "ana@agency.example", "bizdev", "  Amara   Okafor ") is None
    assert grants(crm) == [("ana@agency.example", "bizdev", "Amara Okafor")]
    # granting again with the same role changes only the name; without a name the name stays
    assert access.grant(crm, ADMIN, "ana@agency.example", "bizdev", "Chen Wei") == "bizdev"
    access.grant(crm, ADMIN, "ana@agency.example", "admin")
    assert grants(crm) == [("ana@agency.example", "admin", "Chen Wei")]
    changes = audit.trail(crm.cursor(), ADMIN, audit.AuditFilter(kind="role"))[["what", "before", "after"]]
    assert changes.fillna("").values.tolist()[::-1] == [
        ["ana@agency.example", "", "bizdev"],
        ["ana@agency.example: CRM owner name", "", "Amara Okafor"],
        ["ana@agency.example: CRM owner name", "Amara Okafor", "Chen Wei"],
        ["ana@agency.example", "bizdev", "admin"]]


def test_a_new_owner_is_said_to_be_new_and_a_domain_has_no_owner_name(crm):
    access.grant(crm, ADMIN, "zo@agency.example", "bizdev", "Zoltan Kovacs", new_owner=True)
    assert grants(crm) == [("zo@agency.example", "bizdev", "Zoltan Kovacs")]
    with pytest.raises(ValueError, match="whole domain"):
        access.grant(crm, ADMIN, "*@agency.example", "viewer", "Chen Wei")
    with pytest.raises(owners.UnknownOwner):
        access.set_crm_owner(crm, ADMIN, "zo@agency.example", "Chen We")
    access.set_crm_owner(crm, ADMIN, "zo@agency.example", "")  # blank: no name any more
    assert grants(crm) == [("zo@agency.example", "bizdev", None)]


def test_a_person_who_works_leads_without_an_owner_name_is_told_what_to_ask(crm):
    access.grant(crm, ADMIN, "bizdev@agency.example", "bizdev")
    access.grant(crm, ADMIN, "viewer@agency.example", "viewer")
    signed = access.signed_in("bizdev@agency.example", "bizdev")
    cur = crm.cursor()
    assert access.needs_owner(cur, signed)
    assert not access.needs_owner(cur, access.signed_in("viewer@agency.example", "viewer"))  # works no leads
    assert not access.needs_owner(cur, access.local())  # local mode: one person, everyone's leads
    assert not access.needs_owner(cur, access.signed_in("boss@agency.example", "admin"))  # sets it themself
    assert access.ask_for_owner(signed) == (
        "No lead owner name is recorded for you, so nothing ties you to your leads. Ask an admin to set the name the "
        'CRM gives you, on People & roles (Grant, with "Lead owner name in the CRM") or with this command:')
    assert access.owner_command(signed) == ('python -m sales access grant bizdev@agency.example bizdev --owner '
                                            '"NAME AS THE CRM WRITES IT"')
    access.grant(crm, ADMIN, "bizdev@agency.example", "bizdev", "Chen Wei")
    assert not access.needs_owner(crm.cursor(), signed)
    assert BIZDEV.granted is False  # a test actor, not signed in: never asked


def test_the_command_line_refuses_a_typo_unless_new_owner(tmp_path):
    db = tmp_path / "cli.duckdb"
    with Store(db) as s:
        _leads(s)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "sales", "access", *args, "--db", str(db)], cwd=ROOT,
                              capture_output=True, text=True)

    typo = run("grant", "ana@agency.example", "bizdev", "--owner", "Amara Okafr")
    assert typo.returncode == 2
    assert typo.stderr == ("error: no lead has the owner 'Amara Okafr': did you mean 'Amara Okafor'? choose it as the "
                           "CRM writes it on the leads, or say it is a new owner (--new-owner; on People & roles, type "
                           "it as a new name) for someone whose leads are still to come\n")
    ok = run("grant", "ana@agency.example", "bizdev", "--owner", "Amara Okafor")
    assert (ok.returncode, ok.stdout) == (0, "ana@agency.example: bizdev\nana@agency.example: CRM owner name "
                                             "'Amara Okafor'\n")
    new = run("grant", "zo@agency.example", "bizdev", "--owner", "Zoltan Kovacs", "--new-owner")
    assert new.returncode == 0, new.stderr
    with Store(db) as s:
        assert grants(s) == [("ana@agency.example", "bizdev", "Amara Okafor"),
                             ("zo@agency.example", "bizdev", "Zoltan Kovacs")]


def test_no_one_without_the_admin_role_ties_a_person_to_an_owner(crm):
    access.grant(crm, ADMIN, "bizdev@agency.example", "bizdev")
    with pytest.raises(access.AccessDenied):
        access.grant(crm, BIZDEV, "bizdev@agency.example", "bizdev", "Chen Wei")
    with pytest.raises(access.AccessDenied):
        access.set_crm_owner(crm, Actor("x@agency.example", "viewer"), "bizdev@agency.example", "Chen Wei")
    assert grants(crm) == [("bizdev@agency.example", "bizdev", None)]
