"""shell.forms: a form's write runs in its button's callback; what it did, or why nothing was done, is said once
where the form is, as text; a refused write is left for the top of the page that follows."""

from streamlit.testing.v1 import AppTest

from shell import errors


def _script():
    import streamlit as st

    import shell
    from sales.access import AccessDenied

    def write(how: str) -> str:
        if how == "bad":
            raise ValueError("no such quarter: Q5 (write it as 2026-Q4)")
        if how == "refused":
            raise AccessDenied("bo@agency.example may not set sales targets: that needs the admin role")
        return "Bo's target for 2026-Q4: 2,500 EUR"

    shell.outcome("form_message")
    with st.form("f"):
        shell.submit_buttons("form_message", write, ("Set", "ok", ":material/flag:"), ("Try", "bad", None),
                             ("Sneak", "refused", None))


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()


def test_a_form_s_write_is_said_once_where_the_form_is_as_text():
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert [(b.label, b.proto.type) for b in at.button] == [("Set", "primary"), ("Try", "secondary"),
                                                             ("Sneak", "secondary")]
    assert not at.success and not at.error
    _click(at, "Set")
    assert [s.value for s in at.success] == ["Bo's target for 2026\\-Q4\\: 2,500 EUR"] and not at.error
    at.run()
    assert not at.success  # said once
    _click(at, "Try")
    assert [e.value for e in at.error] == ["no such quarter\\: Q5 \\(write it as 2026\\-Q4\\)"] and not at.success
    _click(at, "Sneak")
    assert not at.error and not at.success  # said at the top of the next page (app.py's notices), not here
    assert at.session_state[errors._PENDING].startswith("Not done\\: bo@")
