"""shell.errors: a write refused because the person's role changed after their page was drawn is said in a
sentence at the top of the page that follows; a role that changed since the session's last page is said
once. (AppTest reruns a page without app.py once navigation exists, so these seed the session as a callback
or an earlier page left it; a person revoked while their pages are open, in a real browser:
tests/browser/test_stale_roles.py.)"""

import pytest

from sales import access
from sales.access import AccessDenied
from sales.store import Store
from shell import errors
from tests.conftest import ADMIN


def verified(email: str) -> dict:
    return {"email": email, "email_verified": True, "sub": email}


def test_a_refused_write_is_said_on_the_page_that_follows(team):
    refused = AccessDenied("bo@agency.example has no role and may not change a lead on the workbench: that needs "
                           "the bizdev role")
    at = team(verified("bo@agency.example"), seed={errors._PENDING: errors.refusal(refused)})
    assert at.error[0].value.replace("\\", "").replace("\u2060", "") == (
        "Not done: bo@agency.example has no role and may not change a lead on the workbench: that needs the bizdev "
        "role. Your role changed after this page was drawn; nothing was written.")
    assert errors._PENDING not in at.session_state  # said once


@pytest.mark.parametrize("seen, now, said", [
    ("admin", None, "Your role was removed (it was admin when your last page was drawn)"),
    ("admin", "bizdev", "Your role is now bizdev (it was admin when your last page was drawn)"),
    ("viewer", "bizdev", "Your role is now bizdev (it was viewer when your last page was drawn)"),
    (None, "bizdev", "Your role is now bizdev (you had none when your last page was drawn)"),
])
def test_a_role_changed_since_the_last_page_is_said(team, pipeline_db, seen, now, said):
    with Store(pipeline_db) as s:
        access.grant(s, ADMIN, "chief@agency.example", "admin")
        if now is None:
            access.revoke(s, ADMIN, "boss@agency.example")
        else:
            access.grant(s, ADMIN, "boss@agency.example", now)
    at = team(verified("boss@agency.example"), seed={errors._ROLE: ("boss@agency.example", seen)})
    assert said in at.warning[0].value.replace("\\", "")
    # a bizdev lands on This week, where one without a CRM owner name reads what to ask their admin
    assert at.title[0].value == ("No access yet" if now is None else "This week")


@pytest.mark.parametrize("seed", [{}, {errors._ROLE: ("boss@agency.example", "admin")},
                                  {errors._ROLE: ("someone@agency.example", "viewer")}])
def test_nothing_is_said_when_nothing_changed(team, seed):
    at = team(verified("boss@agency.example"), seed=seed)
    assert at.title[0].value == "Overview" and not at.error and not at.warning
    assert at.session_state[errors._ROLE] == ("boss@agency.example", "admin")
