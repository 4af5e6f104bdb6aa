"""Links that keep their place, through app.py (shell/navigation.py): ``/`` sends on by role with the link's
filters, the sidebar's links carry them, a page the role may not open says which role would; the owner picker
on People & roles and what a business developer without an owner name reads on This week. (Clicking the
links, and signing in through a real provider: tests/browser/test_links.py.)"""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sales import access
from sales.store import Store
from shell import navigation
from shell.navigation import SPECS, key_of_xsrf, remember, take
from shell.text import plain
from tests.conftest import ADMIN, ROOT
from tests.pages.conftest import open_page

FILTERS = {"from": "2026-01-01", "to": "2026-06-30", "category": "High", "lead": "2"}
SHARED = "from=2026-01-01&to=2026-06-30&category=High&lead=2"  # the same, as every sidebar link carries them


def verified(email: str) -> dict:
    return {"email": email, "email_verified": True, "sub": email}


def links(at: AppTest) -> dict[str, str]:
    """The sidebar's page links: page address → the query string it carries."""
    return {e.proto.page: e.proto.query_string for e in at.sidebar.get("page_link")}


def test_slash_sends_a_local_admin_on_to_overview_with_the_links_filters(monkeypatch, pipeline_db):
    at = open_page(monkeypatch, pipeline_db, "overview", **FILTERS)
    assert at.title[0].value == "Overview"
    assert {k: at.query_params[k] for k in FILTERS} == FILTERS
    assert links(at) == {url: SHARED for url in ("week", "overview", "priorities", "funnel", "budget", "team",
                                                 "profitability", "whatif", "workbench", "reference", "upload",
                                                 "people", "audit")}


def test_slash_sends_a_bizdev_with_leads_of_their_own_on_to_this_week(team):
    at = team(verified("bo@agency.example"))  # CRM owner Bo
    assert at.title[0].value == "This week"
    assert not at.warning  # their owner name is set: nothing to ask for
    assert set(links(at)) == {"week", "overview", "priorities", "funnel", "budget", "team", "whatif", "workbench",
                              "reference"}


def test_a_page_the_role_may_not_open_says_which_role_would():
    # the screen at /upload for a viewer, /workbench for a viewer (in a browser: tests/browser/test_links.py)
    assert access.needs_role("Upload", "import", "viewer") == (
        "Upload needs the admin role (to import files); you are signed in with the viewer role")
    assert access.needs_role("Lead workbench", "work_lead", "viewer") == (
        "Lead workbench needs the bizdev or the admin role (to change a lead on the workbench); you are signed in "
        "with the viewer role")
    assert access.needs_role("Profitability", "see_costs", "bizdev") == (
        "Profitability needs the admin role (to see or change cost rates, margins and the people roster); you are "
        "signed in with the bizdev role")
    assert [s.url for s in SPECS if s.action] == ["profitability", "workbench", "upload", "people", "audit"]


def test_signed_out_the_sign_in_screen_has_no_links(team):
    at = team(None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not links(at)


def test_every_page_file_has_an_address_of_its_own():
    files = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    assert sorted(s.file for s in SPECS) == files
    assert [s.url for s in SPECS] == [Path(s.file).stem for s in SPECS]


def test_the_sign_in_round_trip_knows_the_browser_by_its_xsrf_token():
    # the same token under two masks (as two page loads send it): one browser
    token, mask1, mask2 = bytes(range(16)), bytes([1, 2, 3, 4]), bytes([9, 9, 9, 9])
    masked = [bytes(b ^ m[i % 4] for i, b in enumerate(token)).hex() for m in (mask1, mask2)]
    first = key_of_xsrf(f"2|{mask1.hex()}|{masked[0]}|1700000000")
    again = key_of_xsrf(f"\"2|{mask2.hex()}|{masked[1]}|1700000000\"")
    assert first == again and first is not None
    other = key_of_xsrf(f"2|{mask1.hex()}|{bytes(16).hex()}|1700000000")
    assert other != first
    assert key_of_xsrf("") is None
    assert key_of_xsrf("2|zz|zz|1") is None


def test_people_and_roles_picks_an_owner_name_from_the_store_or_takes_a_new_one(monkeypatch, pipeline_db):
    at = open_page(monkeypatch, pipeline_db, "people")
    owner = at.selectbox(key="people_owner")
    assert owner.options == ["Ana", "Bo"]  # the names on the six hand-made leads
    at.text_input(key="people_who").set_value("ana@agency.example")
    at.selectbox(key="people_role").set_value("bizdev")
    owner.set_value("Ana")
    next(b for b in at.button if b.label == "Grant").click().run()
    assert at.success[0].value == plain("ana@agency.example is now bizdev; their leads are those of CRM owner 'Ana'")
    at.text_input(key="people_who").set_value("cy@agency.example")
    at.text_input(key="people_new_owner").set_value(" Cy ")  # no lead has it yet: said to be new by typing it
    next(b for b in at.button if b.label == "Grant").click().run()
    assert at.success[0].value == plain("cy@agency.example is now bizdev; their leads are those of CRM owner 'Cy'")
    with Store(pipeline_db) as s:
        assert s.cursor().execute("SELECT who, role, crm_owner FROM access_grants ORDER BY who").fetchall() == [
            ("ana@agency.example", "bizdev", "Ana"), ("cy@agency.example", "bizdev", "Cy")]
    assert at.selectbox(key="people_owner").options == ["Ana", "Bo", "Cy"]  # now a name the store knows


def test_a_bizdev_without_an_owner_name_reads_what_to_ask_on_this_week(team, pipeline_db):
    with Store(pipeline_db) as s:
        access.grant(s, ADMIN, "new@agency.example", "bizdev")
    at = team(verified("new@agency.example"))
    assert at.title[0].value == "This week"  # where they start, to read what to ask for
    assert at.warning[0].value == plain(
        "No lead owner name is recorded for you, so nothing ties you to your leads. Ask an admin to set the name the "
        'CRM gives you, on People & roles (Grant, with "Lead owner name in the CRM") or with this command:')
    assert at.code[0].value == ('python -m sales access grant new@agency.example bizdev --owner '
                                '"NAME AS THE CRM WRITES IT"')
    assert "Until then this page shows everyone's leads." in [c.value for c in at.caption]


def test_a_link_asked_for_before_sign_in_is_taken_once_by_the_same_browser_while_fresh(monkeypatch):
    browser = ["A"]
    monkeypatch.setattr(navigation, "browser_key", lambda: browser[0])
    remember("priorities", {"from": "2026-01-01", "lead": "2"})
    browser[0] = "B"
    assert take() is None  # another browser has nothing waiting
    browser[0] = "A"
    assert take() == ("priorities", {"from": "2026-01-01", "lead": "2"})
    assert take() is None  # once
    remember("nowhere", {})
    assert take() is None  # not one of our pages
    remember("funnel", {})
    remember(None, {})  # then the plain sign-in screen at /: nothing in particular
    assert take() is None
    remember("funnel", {})
    monkeypatch.setattr(navigation, "PENDING_SECONDS", -1)
    assert take() is None  # stale
