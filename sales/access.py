"""Who may do what: roles kept in the store, checked by every function that writes.

Sign-in (OpenID Connect) only says who someone is; the role comes from a grant in the store, for an
email or for a whole domain (``*@agency.example``). The pages hide what a role cannot use, but the
protection is here: a write function takes the acting person and calls ``Actor.require`` first.
"""

from __future__ import annotations

import getpass
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import duckdb

from sales import audit, mailaddr
from sales.store import Store, scalar

# each role may do everything the roles before it may
ROLES = ("viewer", "bizdev", "admin")
ROLE_HELP = {
    "viewer": "dashboards, reports and downloads",
    "bizdev": "also what-if saving and the lead workbench (gates, notes, meeting preparation, offers)",
    "admin": "also uploads, undo, budgets, demo data, people and roles, and the audit page",
}
# what an action needs, and how a refusal names it
ACTIONS = {
    "assess": ("bizdev", "save an assessment"),
    "work_lead": ("bizdev", "change a lead on the workbench"),
    "offer": ("bizdev", "record a small-project offer"),
    "import": ("admin", "import files"),
    "undo": ("admin", "undo an import"),
    "budgets": ("admin", "change budgets"),
    "demo": ("admin", "load or remove demo data"),
    "restore": ("admin", "restore the store from a backup"),
    "send_digest": ("admin", "send the weekly digest"),
    "manage_access": ("admin", "grant or revoke roles"),
    "targets": ("admin", "set sales targets"),
    "audit": ("admin", "read the audit trail"),
    "see_costs": ("admin", "see or change cost rates, margins and the people roster"),
}
LOCAL = "local"  # the one person of local mode (no sign-in configured)


class AccessDenied(PermissionError):
    """The acting person's role does not allow the action; the message says which role would."""


@dataclass(frozen=True)
class Actor:
    """Someone acting on the store: a signed-in email, ``cli:NAME``, or ``local``, with their role.

    ``granted``: the role comes from a grant in the store (a signed-in person), so every write reads it
    again inside its own transaction (``authorise``): a grant revoked while the person's page is open
    refuses their next action. The command line and local mode hold their role by running here."""

    identity: str
    role: str | None
    granted: bool = False

    def may(self, action: str) -> bool:
        needed = ACTIONS[action][0]
        return self.role in ROLES and ROLES.index(self.role) >= ROLES.index(needed)

    def require(self, action: str) -> None:
        if not self.may(action):
            needed, what = ACTIONS[action]
            held = f"the {self.role} role" if self.role else "no role"
            raise AccessDenied(f"{self.identity} has {held} and may not {what}: that needs the {needed} role")


def signed_in(email: str, role: str | None) -> Actor:
    """A person signed in through the identity provider, with the role their grant gave when the page ran."""
    return Actor(email, role, granted=True)


def authorise(cur: duckdb.DuckDBPyConnection, actor: Actor, action: str) -> Actor:
    """The first step of every write, inside its transaction: ``actor`` as the store says they are now
    (a signed-in person's grant read again), refused with AccessDenied unless they may ``action``."""
    now = replace(actor, role=role_of(cur, actor.identity)) if actor.granted else actor
    now.require(action)
    return now


def command_line() -> Actor:
    """Whoever runs ``python -m sales``: they can open the store file, so they administer it."""
    return Actor(f"cli:{getpass.getuser()}", "admin")


def local() -> Actor:
    return Actor(LOCAL, "admin")


_EMAIL = re.compile(r"[^@\s*]+@[^@\s*]+\.[^@\s*]+")
_DOMAIN = re.compile(r"\*@[^@\s*]+\.[^@\s*]+")


def canonical_email(text: str) -> str:
    """The one form in which emails are stored and compared: Unicode NFKC, trimmed, case-folded.

    Raises ValueError when that form differs from the text in any way other than case: a compatibility
    character (KELVIN SIGN for K, full-width letters, ligatures) or a letter whose folding changes more
    than its case (ß to ss) would otherwise make another address match a grant."""
    typed = text.strip()
    if unicodedata.normalize("NFKC", typed) != typed or typed.casefold() != typed.lower():
        odd = {c for c in typed if unicodedata.normalize("NFKC", c) != c or c.casefold() != c.lower()}
        odd = odd or set(typed) - set(unicodedata.normalize("NFKC", typed))  # a sequence NFKC writes as one
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in sorted(odd))
        raise ValueError(f"{typed!r} holds characters that Unicode reads as other characters ({names}): "
                         "type the address in the characters it is registered with")
    return typed.casefold()


def normalise(who: str) -> str:
    """An email or ``*@domain`` grant in its canonical form; raises ValueError for anything else."""
    who = canonical_email(who)
    if not (_EMAIL.fullmatch(who) or _DOMAIN.fullmatch(who)):
        raise ValueError(f"{who!r} is neither an email address nor a domain such as *@agency.example")
    return who


@dataclass(frozen=True)
class SignIn:
    """What an identity provider's claims establish: ``email`` (canonical) when roles may apply to it,
    else ``problem``, the sentence that says why not. ``shown``: who the person is, as the provider
    named them (for the screen only, never for a role)."""

    email: str | None
    shown: str
    problem: str | None = None

    def actor(self, role: str | None) -> Actor:
        """The session's actor: a verified email with its role, else someone who has no role at all
        (not ``granted``: no write ever reads a role for an address nobody vouched for)."""
        return signed_in(self.email, role) if self.email else Actor(self.shown, None)


TRUST_SETTING = "[sales] trust_unverified_email"  # in .streamlit/secrets.toml, beside [auth]


def from_claims(claims: Mapping, trust_unverified: object = False) -> SignIn:
    """Whom the ID token's claims name, trusted only when the provider says the email is verified
    (``email_verified`` true). ``trust_unverified`` (the setting ``TRUST_SETTING``, exactly ``True``):
    a provider that never sends ``email_verified`` is trusted; one that says false never is. No email
    claim: no role, whatever else the token holds (``sub`` is not an email)."""
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw.strip():
        who = next((str(claims[k]) for k in ("name", "preferred_username", "sub") if claims.get(k)), "unknown")
        return SignIn(None, f"{who} (no email address)", "Your identity provider did not send an email address "
                      "for this account, and roles are granted to email addresses, so none can apply. Ask whoever "
                      "runs sign-in to release the email claim (scope 'email') to this app.")
    shown = raw.strip()
    verified = claims.get("email_verified")
    if isinstance(verified, str):  # a few providers send it as text
        verified = {"true": True, "false": False}.get(verified.strip().lower(), verified)
    if verified is not True:
        if verified is False:
            why = "says this email address is not verified"
        elif "email_verified" in claims:
            why = f"sent email_verified = {verified!r}, which is neither true nor false"
        elif trust_unverified is True:
            why = None
        else:
            why = "does not say whether this email address is verified (no email_verified claim)"
        if why:
            hint = ("" if verified is False or "email_verified" in claims else
                    f" If it verifies every address it hands out, an admin can set {TRUST_SETTING} = true"
                    + (f" (it is {trust_unverified!r} now, which is not true)" if trust_unverified not in (None, False)
                       else "") + ".")
            return SignIn(None, shown, f"Your identity provider {why}, so no role can apply to it: anyone "
                          f"could have typed it.{hint}")
    try:
        email = canonical_email(shown)
    except ValueError as e:
        return SignIn(None, shown, f"No role can apply to this address: {e}.")
    if not _EMAIL.fullmatch(email):
        return SignIn(None, shown, "Your identity provider sent something that is not an email address, so no "
                      "role can apply to it.")
    return SignIn(email, shown)


def role_of(cur: duckdb.DuckDBPyConnection, email: str | None) -> str | None:
    """The role granted to ``email`` (compared in its canonical form): its own grant, else its domain's,
    else None. An address that has no canonical form has no role."""
    if not email or "@" not in email:
        return None
    try:
        email = canonical_email(email)
    except ValueError:
        return None
    rows = cur.execute("""SELECT role FROM access_grants WHERE who = ? OR who = ?
                          ORDER BY who LIKE '*@%'""", [email, "*@" + email.rsplit("@", 1)[1]]).fetchall()
    return rows[0][0] if rows else None


def grants(cur: duckdb.DuckDBPyConnection):
    """Every grant, emails before domains, as a DataFrame."""
    return cur.execute("""SELECT who, role, crm_owner, granted_by, granted_at FROM access_grants
                          ORDER BY who LIKE '*@%', who""").df()


def admins(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Who to ask for access: the admins' grants."""
    return [r[0] for r in cur.execute("SELECT who FROM access_grants WHERE role = 'admin' ORDER BY who").fetchall()]


def grant(store: Store, actor: Actor, who: str, role: str) -> str | None:
    """Give ``who`` (an email or ``*@domain``) ``role``; returns the role it had before, if any."""
    actor.require("manage_access")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    who = normalise(who)
    if not who.startswith("*@"):
        mailaddr.check(who)  # the digest mails it: no header text can ride along
    with store.transaction() as cur:
        authorise(cur, actor, "manage_access")
        before = _held(cur, who)
        if before == role:
            return before
        if before == "admin":
            _keep_an_admin(cur, who)
        cur.execute("""INSERT OR REPLACE INTO access_grants (who, role, granted_by, granted_at)
                       VALUES (?, ?, ?, ?)""", [who, role, actor.identity, datetime.now()])
        audit.record(cur, actor, "role", who, before=before, after=role)
    return before


def revoke(store: Store, actor: Actor, who: str) -> str:
    """Remove the grant of ``who``; returns the role it gave. Refuses to remove the last admin."""
    actor.require("manage_access")
    who = normalise(who)
    with store.transaction() as cur:
        authorise(cur, actor, "manage_access")
        before = _held(cur, who)
        if before is None:
            raise ValueError(f"{who} has no grant of its own")
        if before == "admin":
            _keep_an_admin(cur, who)
        cur.execute("DELETE FROM access_grants WHERE who = ?", [who])
        audit.record(cur, actor, "role", who, before=before, after=None)
    return before


def crm_owner(cur: duckdb.DuckDBPyConnection, email: str) -> str | None:
    """The name under which the CRM lists ``email``'s leads, when an admin recorded one."""
    try:
        email = canonical_email(email)
    except ValueError:
        return None
    rows = cur.execute("SELECT crm_owner FROM access_grants WHERE who = ?", [email]).fetchall()
    return rows[0][0] if rows else None


def set_crm_owner(store: Store, actor: Actor, who: str, owner: str | None) -> None:
    """Record the lead owner name ``who`` has in the CRM (None or blank: their email is used)."""
    actor.require("manage_access")
    who, owner = normalise(who), (owner or "").strip() or None
    with store.transaction() as cur:
        authorise(cur, actor, "manage_access")
        if _held(cur, who) is None:
            raise ValueError(f"{who} has no grant of its own: grant a role first")
        before = crm_owner(cur, who)
        if before != owner:
            cur.execute("UPDATE access_grants SET crm_owner = ? WHERE who = ?", [owner, who])
            audit.record(cur, actor, "role", f"{who}: CRM owner name", before=before, after=owner)


def _held(cur: duckdb.DuckDBPyConnection, who: str) -> str | None:
    rows = cur.execute("SELECT role FROM access_grants WHERE who = ?", [who]).fetchall()
    return rows[0][0] if rows else None


def _keep_an_admin(cur: duckdb.DuckDBPyConnection, who: str) -> None:
    if not scalar(cur, "SELECT count(*) FROM access_grants WHERE role = 'admin' AND who <> ?", [who]):
        raise ValueError(f"{who} is the last admin: grant admin to someone else first")
