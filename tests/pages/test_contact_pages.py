"""Touches are contacts, on the pages: the workbench's "Log contact" (channel, note) and its Undo, the lead's log
with an undo per contact, and This week's follow-ups, which only a contact changes.

tests/fixtures/contacts/leads.csv (see tests/test_contacts.py): seven High leads created on 1 October 2026;
This week on Wednesday 25 November: C-5 (the CRM's activity on the 20th) due on the 27th, the six others
overdue. Contacts logged on the page are logged now, after the 25th: a lead contacted leaves the list.
"""

from datetime import date

import pytest

import shell
from sales.ingest import import_file
from sales.store import Store, scalar
from tests.conftest import ADMIN, ROOT
from tests.pages.conftest import open_page

FIX = ROOT / "tests" / "fixtures" / "contacts"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "contacts.duckdb"
    with Store(path) as s:
        import_file(s, ADMIN, FIX / "leads.csv")
    monkeypatch.setattr(shell, "today", lambda: date(2026, 11, 25))
    return path


def lead_id(db, ext: str) -> int:
    with Store(db) as s:
        return scalar(s.cursor(), "SELECT id FROM leads WHERE external_id = ?", [ext])


def counts(at) -> tuple[str, str]:
    shown = {m.label: m.value for m in at.metric}
    return shown["Overdue follow-ups"], shown["Due later this week"]


def said(elements) -> list[str]:
    """What messages say, without the escapes that keep text from people plain."""
    return [e.value.replace("\\", "") for e in elements]


def clock(at) -> str:
    """The workbench's line on the lead's last contact and next follow-up."""
    return next(m.value.replace("\\", "") for m in at.markdown
                if m.value.startswith(("**Last contact", "**Never contacted")))


def contacts(db) -> list[tuple]:
    with Store(db) as s:
        return s.cursor().execute("SELECT lead_id, channel, note FROM lead_contacts ORDER BY id").fetchall()


def test_notes_gates_and_assessments_leave_the_follow_up_where_it_was(monkeypatch, db):
    assert counts(open_page(monkeypatch, db, "week")) == ("6", "1")
    noted, ticked = lead_id(db, "C-2"), lead_id(db, "C-3")
    at = open_page(monkeypatch, db, "workbench", lead=str(noted))
    assert "Never contacted (created 01 Oct 2026)" in clock(at)
    at.text_area(key=f"prep_{noted}_problem").set_value("Their platform cannot scale")
    at.button(key=f"FormSubmitter:prep_{noted}-Save notes").click().run()
    assert "Saved 1 note(s)." in said(at.success)
    at = open_page(monkeypatch, db, "workbench", lead=str(ticked))
    at.checkbox(key=f"gate_{ticked}_inquiry_received").check().run()
    assert not at.exception
    assert counts(open_page(monkeypatch, db, "week")) == ("6", "1")  # nobody was contacted


def test_log_a_contact_on_the_workbench_then_undo_it_right_away(monkeypatch, db):
    called = lead_id(db, "C-1")
    at = open_page(monkeypatch, db, "workbench", lead=str(called))
    assert "follow-up overdue since 08 Oct 2026 (every 7 days)" in clock(at)
    at.radio(key=f"contact_{called}_channel").set_value("meeting")
    at.text_input(key=f"contact_{called}_note").set_value("Demo of the LMS; they want a quote")
    at.button(key=f"FormSubmitter:contact_{called}-Log contact").click().run()
    assert not at.exception
    assert contacts(db) == [(called, "meeting", "Demo of the LMS; they want a quote")]
    assert "Contact with Called on the 24th logged (meeting)." in said(at.success)
    assert f"Last contact {date.today():%d %b %Y}, by meeting" in clock(at)
    assert counts(open_page(monkeypatch, db, "week")) == ("5", "1")  # C-1 left the list

    at.button(key="undo_contact_1").click().run()  # the Undo shown right after
    assert not at.exception
    assert contacts(db) == []
    assert any(i.startswith("Undone: Contact by meeting: Demo of the LMS; they want a quote (") for i in said(at.info))
    assert "Never contacted (created 01 Oct 2026)" in clock(at)
    assert counts(open_page(monkeypatch, db, "week")) == ("6", "1")  # back on it
    with Store(db) as s:
        kinds = [r[0] for r in s.cursor().execute("SELECT kind FROM audit_log WHERE lead_id = ? ORDER BY id",
                                                  [called]).fetchall()]
    assert kinds == ["touch", "touch_undone"]


def test_undo_a_contact_from_the_leads_log_removes_only_that_one(monkeypatch, db):
    called = lead_id(db, "C-1")
    at = open_page(monkeypatch, db, "workbench", lead=str(called))
    for channel, note in (("email", "Sent the proposal"), ("call", "")):
        at.radio(key=f"contact_{called}_channel").set_value(channel)
        at.text_input(key=f"contact_{called}_note").set_value(note)
        at.button(key=f"FormSubmitter:contact_{called}-Log contact").click().run()
    assert contacts(db) == [(called, "email", "Sent the proposal"), (called, "call", None)]
    at = open_page(monkeypatch, db, "workbench", lead=str(called))  # later: the log offers the undo
    assert [b.key for b in at.button if b.key and b.key.startswith("undo_")] == ["undo_log_2", "undo_log_1"]
    at.button(key="undo_log_1").click().run()
    assert contacts(db) == [(called, "call", None)]
    assert [b.key for b in at.button if b.key and b.key.startswith("undo_")] == ["undo_log_2"]


def test_log_a_contact_from_this_week(monkeypatch, db):
    at = open_page(monkeypatch, db, "week")
    undone = lead_id(db, "C-7")
    assert f"touch_{undone}_channel" not in [r.key for r in at.radio]  # a closed popover draws no form
    at.session_state[f"touching_{undone}"] = True  # its popover opened: the form is drawn only then
    at.run()
    at.radio(key=f"touch_{undone}_channel").set_value("message")
    at.button(key=f"FormSubmitter:touch_{undone}-Log contact").click().run()
    assert not at.exception
    assert counts(at) == ("5", "1")
    assert contacts(db) == [(undone, "message", None)]
    assert "Contact with Contact undone logged (message)." in said(at.success)
    at.button(key="undo_contact_1").click().run()
    assert counts(at) == ("6", "1") and contacts(db) == []
