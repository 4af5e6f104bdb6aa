"""Whom a role applies to, signing in through the test OpenID provider: only an email the provider vouches for
(email_verified true, or a provider that never says, trusted on purpose by [sales] trust_unverified_email),
never sub, and never an address whose canonical form differs from it by more than case."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot, sign_in_as

KELVIN, FULLWIDTH_W = "\u212a", "\uff57"
NO_DATA = ('[data-testid="stMetric"]', '[data-testid="stDataFrame"]', '[data-testid="stSidebarNav"]')


def refused(page, shown: str, why: str) -> None:
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="No access yet")).to_be_visible(timeout=60_000)
    expect(main).to_contain_text(shown)
    expect(main).to_contain_text(why)
    expect(main).to_contain_text("admin@agency.example")  # whom to ask
    for selector in NO_DATA:
        expect(page.locator(selector)).to_have_count(0)


def granted(page, shown: str, role: str) -> None:
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(f"{shown} · {role}")


# (email typed at the provider, what the token says of it, shown as, why no role applies)
REFUSED = [
    ("admin@agency.example", "false", "admin@agency.example", "says this email address is not verified"),
    ("admin@agency.example", "no claim", "admin@agency.example",
     "does not say whether this email address is verified"),
    ("", "true", "No Email (no email address)", "did not send an email address"),
    (f"eve@{KELVIN}agency.example", "true", f"eve@{KELVIN}agency.example", "U+212A KELVIN SIGN"),
    (f"eve@vie{FULLWIDTH_W}ers.example", "true", f"eve@vie{FULLWIDTH_W}ers.example",
     "U+FF57 FULLWIDTH LATIN SMALL LETTER W"),
]


@pytest.mark.parametrize("email, verified, shown, why", REFUSED, ids=["unverified", "unsaid", "no-email", "kelvin",
                                                                      "fullwidth"])
def test_no_role_applies_to_an_address_nobody_vouches_for(page, team_server, email, verified, shown, why):
    sign_in_as(page, team_server, email, verified)
    refused(page, shown, why)
    page.goto(f"{team_server}/people")  # no page opens by its link either
    refused(page, shown, why)
    shot(page, f"identity-refused-{verified.replace(' ', '-')}-{bool(email)}")


def test_a_verified_email_gets_its_role(page, team_server):
    sign_in_as(page, team_server, "Eve@KAgency.example", "true")  # the ASCII domain granted above
    granted(page, "Eve@KAgency.example", "viewer")


def test_a_provider_that_never_says_is_trusted_by_the_setting(page, claimless_server):
    sign_in_as(page, claimless_server, "admin@agency.example")  # this provider sends no email_verified
    granted(page, "admin@agency.example", "admin")
    expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("People & roles")


def test_the_setting_never_trusts_an_address_said_to_be_unverified(page, claimless_server):
    sign_in_as(page, claimless_server, "admin@agency.example", "false")
    refused(page, "admin@agency.example", "says this email address is not verified")
