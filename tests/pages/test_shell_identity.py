"""shell.identity and shell.screens: who a session's person is, from the ID token's claims, and what they
see when no role can apply (AppTest seeds st.user; the real sign-in: tests/browser/test_identity.py)."""

import pytest

KELVIN = "\u212a"


def shown(at) -> str:
    return " ".join([*(m.value for m in at.markdown), *(c.value for c in at.code), *(w.value for w in at.warning)])


def test_signed_out_sees_the_sign_in_button_only(team):
    at = team(None)
    assert [b.label for b in at.button] == ["Sign in"] and len(at.metric) == 0


def test_a_verified_email_gets_its_role_and_the_sidebar_shows_it_as_sent(team):
    at = team({"email": "Ana@Viewers.example", "email_verified": True, "sub": "1"})
    assert at.title[0].value == "Overview" and len(at.metric) >= 4
    assert [t.value for t in at.sidebar.text] == ["Ana@Viewers.example · viewer"]


@pytest.mark.parametrize("claims, trust, reason", [
    ({"email": "boss@agency.example", "email_verified": False}, "true", "says this email address is not verified"),
    ({"email": "boss@agency.example"}, None, "does not say whether this email address is verified"),
    ({"email": "boss@agency.example"}, '"yes"', "it is 'yes' now, which is not true"),
    ({"sub": "boss@agency.example", "email_verified": True}, "true", "did not send an email address"),
    ({"email": f"eve@{KELVIN}agency.example", "email_verified": True}, None, "KELVIN SIGN"),
])
def test_an_email_nobody_vouches_for_gets_no_role_and_the_screen_says_why(team, claims, trust, reason):
    at = team(claims, trust)
    assert at.title[0].value == "No access yet"
    assert reason in shown(at).replace("\\", "")
    assert "boss@agency.example" in [c.value for c in at.code]  # whom to ask
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_a_provider_that_never_says_can_be_trusted_by_the_setting(team):
    at = team({"email": "boss@agency.example", "sub": "1"}, "true")
    assert at.title[0].value == "Overview"
    assert [t.value for t in at.sidebar.text] == ["boss@agency.example · admin"]
