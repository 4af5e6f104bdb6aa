"""Local mode, the admin pages and user text as text, in AppTest (sign-in itself: tests/browser)."""

import pytest
from streamlit import config as st_config

from sales import access
from sales.store import Store, scalar
from shell import WORD_JOINER, plain
from tests.conftest import ADMIN
from tests.pages.conftest import open_page

HOSTILE = "![x](http://127.0.0.1:9/t.png) **bold** <b>b</b> :red[red] $x^2$ [a](javascript:alert(1)) `c` #h"


def sidebar_text(at) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


@pytest.fixture
def exposed():
    """The server listening on every interface, as a bare ``streamlit run`` would."""
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", "127.0.0.1")


def test_local_mode_is_one_admin_with_a_badge(monkeypatch, pipeline_db):
    at = open_page(monkeypatch, pipeline_db, "overview")
    assert "Local mode: no sign-in" in sidebar_text(at)
    assert "open to the network" not in sidebar_text(at)
    assert len(at.metric) >= 4
    at.switch_page("pages/people.py").run()
    assert not at.exception and at.title[0].value == "People & roles"


def test_local_mode_on_a_network_address_serves_nothing(monkeypatch, pipeline_db, exposed):
    monkeypatch.delenv("SALES_OPEN_WITHOUT_SIGN_IN", raising=False)
    at = open_page(monkeypatch, pipeline_db, "overview")
    assert at.title[0].value == "Local mode is for this computer only"
    assert "SALES_OPEN_WITHOUT_SIGN_IN=1" in at.error[0].value
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_the_documented_opt_out_serves_the_network_and_says_so(monkeypatch, pipeline_db, exposed):
    monkeypatch.setenv("SALES_OPEN_WITHOUT_SIGN_IN", "1")
    at = open_page(monkeypatch, pipeline_db, "overview")
    assert at.title[0].value == "Overview"
    assert "Local mode: no sign-in · open to the network (SALES_OPEN_WITHOUT_SIGN_IN)" in sidebar_text(at)


def test_people_page_grants_and_the_audit_page_shows_it(monkeypatch, pipeline_db):
    at = open_page(monkeypatch, pipeline_db, "people")
    at.text_input(key="people_who").set_value("Ana@Agency.example")
    at.selectbox(key="people_role").set_value("bizdev")
    next(b for b in at.button if "Grant" in b.label).click().run()
    assert at.success[0].value == plain("ana@agency.example is now bizdev")
    assert at.dataframe[1].value[["Email or domain", "Role", "Granted by"]].values.tolist() == [
        ["ana@agency.example", "bizdev", "local"]]
    at.text_input(key="people_who").set_value("not an email")
    next(b for b in at.button if "Grant" in b.label).click().run()
    assert "neither an email address nor a domain" in at.error[0].value
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert rows[["Who", "Kind", "What", "Change"]].values.tolist() == [["local", "role", "ana@agency.example",
                                                                        "bizdev"]]


def test_a_lead_named_with_markdown_is_shown_as_text(monkeypatch, pipeline_db):
    with Store(pipeline_db) as s, s.transaction() as cur:
        cur.execute("UPDATE leads SET name = ? WHERE id = 2", [HOSTILE])
    at = open_page(monkeypatch, pipeline_db, "priorities", lead="2")
    shown = at.subheader[1].value
    assert shown == plain(HOSTILE)
    # every Markdown character is escaped, and removing the escapes gives the name back
    assert shown.replace("\\", "").replace(WORD_JOINER, "") == HOSTILE.replace("\\", "")
    assert "](" not in shown.replace("\\]\\(", "") and "<b>" not in shown


def test_audit_rows_are_never_removed_by_undo(monkeypatch, pipeline_db):
    from sales.ingest import import_file, undo_batch
    from tests.conftest import ROOT
    with Store(pipeline_db) as s:
        r = import_file(s, ADMIN, ROOT / "tests" / "fixtures" / "toggl.csv")
        undo_batch(s, ADMIN, r.batch)
        access.grant(s, ADMIN, "ana@agency.example", "viewer")
        assert scalar(s.cursor(), "SELECT string_agg(kind, ',' ORDER BY id) FROM audit_log") == "import,undo,role"
