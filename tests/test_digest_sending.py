"""The digest is sent once: each recipient's result is recorded, a refused recipient does not stop the others,
a dropped connection says who got it and who did not, and the same digest again mails only those who did
not get it. Addresses that would carry header text are refused where they are saved, not while sending.
Mail servers are aiosmtpd on 127.0.0.1, started by the tests."""

import os
import socket
import subprocess
import sys
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from sales import access
from sales.digest import DigestError, smtp_settings
from sales.store import Store
from tests.conftest import ADMIN, ROOT
from tests.test_digest import Inbox, _secrets, _team

TODAY = date(2026, 11, 23)  # a Monday
BOSS, ANA, BO = "boss@agency.example", "ana@agency.example", "bo@agency.example"


class Refusing(Inbox):
    """Accepts every recipient but one."""

    def __init__(self, refused: str):
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address == self.refused:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Dropping(Inbox):
    """Drops the connection, without an answer, when the mail for one recipient arrives."""

    def __init__(self, victim: str):
        super().__init__()
        self.victim = victim

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.victim in envelope.rcpt_tos:
            server.transport.abort()
            return "250 OK"  # never reaches the client
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def mail_server():
    """Start an SMTP server on 127.0.0.1 with a given handler; returns its port. Stopped after the test."""
    started = []

    def start(handler) -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return port
    yield start
    for c in started:
        c.stop()


@pytest.fixture
def team_db(store):
    """boss manages; Ana (CRM owner Ana, two leads due) and Bo (CRM owner Bo, one overdue lead) work leads."""
    _team(store, TODAY)
    access.grant(store, ADMIN, BO, "bizdev")
    access.set_crm_owner(store, ADMIN, BO, "Bo")
    path = store.path
    store.close()
    return path


def send(db, secrets, *extra):
    return subprocess.run([sys.executable, "-m", "sales", "digest", "--send", "--today", TODAY.isoformat(),
                           "--db", str(db), *extra], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "SALES_SECRETS": str(secrets)})


def recorded(db) -> list[tuple]:
    with Store(db) as s:
        return s.cursor().execute("""SELECT digest_date, recipient, status, error IS NOT NULL FROM digest_deliveries
                                     ORDER BY attempted_at, rowid""").fetchall()


def received(inbox) -> list[str]:
    return [r for rcpt, _ in inbox.mails for r in rcpt]


def test_a_refused_recipient_does_not_stop_the_others_and_is_the_only_one_tried_again(team_db, mail_server,
                                                                                      tmp_path):
    inbox = Refusing(ANA)
    secrets = _secrets(tmp_path, mail_server(inbox))
    first = send(team_db, secrets)
    assert first.returncode == 2
    assert first.stdout.splitlines() == [
        f"digest sent to 2: {BOSS}, {BO}",
        f"refused: {ANA}: 550 5.1.1 <{ANA}>: mailbox unavailable",
        f"1 did not get the digest of {TODAY}: run the same command again (same --today) to mail only them"]
    assert received(inbox) == [BOSS, BO]

    again = send(team_db, secrets)  # the same digest: only Ana is tried, and refused again
    assert again.returncode == 2
    assert again.stdout.splitlines()[:2] == [
        "digest sent to 0: nobody (nothing due for anyone)",
        f"already sent for {TODAY} (--resend sends it again): {BOSS}, {BO}"]
    assert received(inbox) == [BOSS, BO]
    assert recorded(team_db) == [(TODAY, BOSS, "sent", False), (TODAY, ANA, "refused", True),
                                 (TODAY, BO, "sent", False), (TODAY, ANA, "refused", True)]


def test_a_dropped_connection_says_who_got_it_and_a_second_run_mails_only_the_others(team_db, mail_server,
                                                                                    tmp_path):
    dropping = Dropping(ANA)
    first = send(team_db, _secrets(tmp_path, mail_server(dropping)))
    assert first.returncode == 2
    lines = first.stdout.splitlines()
    assert lines[0] == f"digest sent to 1: {BOSS}"
    assert lines[1].startswith(f"failed: {ANA}: the connection to the mail server was lost (")
    assert lines[2].startswith(f"not sent: {BO}: not tried: the connection to the mail server was lost (")
    assert lines[3] == (f"2 did not get the digest of {TODAY}: run the same command again (same --today) to mail "
                        "only them")
    assert received(dropping) == [BOSS]

    healthy = Inbox()
    secrets = _secrets(tmp_path, mail_server(healthy))
    second = send(team_db, secrets)
    assert second.returncode == 0, second.stdout
    assert second.stdout.splitlines() == [f"digest sent to 2: {ANA}, {BO}",
                                          f"already sent for {TODAY} (--resend sends it again): {BOSS}"]
    assert received(healthy) == [ANA, BO]
    assert send(team_db, secrets).stdout.splitlines()[0] == "digest sent to 0: nobody (nothing due for anyone)"
    assert received(healthy) == [ANA, BO]  # a third run sends nothing at all

    forced = send(team_db, secrets, "--resend")
    assert forced.returncode == 0 and forced.stdout.strip() == f"digest sent to 3: {BOSS}, {ANA}, {BO}"
    assert received(healthy) == [ANA, BO, BOSS, ANA, BO]
    assert [r[1:3] for r in recorded(team_db)] == [
        (BOSS, "sent"), (ANA, "failed"), (BO, "not sent"), (ANA, "sent"), (BO, "sent"),
        (BOSS, "sent"), (ANA, "sent"), (BO, "sent")]


def test_another_day_s_digest_goes_to_everyone_again(team_db, mail_server, tmp_path):
    inbox = Inbox()
    secrets = _secrets(tmp_path, mail_server(inbox))
    assert send(team_db, secrets).returncode == 0
    nextweek = subprocess.run([sys.executable, "-m", "sales", "digest", "--send", "--today", "2026-11-30",
                               "--db", str(team_db)], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "SALES_SECRETS": str(secrets)})
    assert nextweek.stdout.strip() == f"digest sent to 3: {BOSS}, {ANA}, {BO}"


def test_an_unreachable_server_mails_nobody_and_says_so(team_db, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens here once the socket is closed
    r = send(team_db, _secrets(tmp_path, closed))
    assert r.returncode == 2
    assert r.stdout.splitlines()[0] == "digest sent to 0: nobody (nothing due for anyone)"
    assert f"not sent: {ANA}: the mail server 127.0.0.1:{closed} could not be reached: " in r.stdout
    assert [r[2] for r in recorded(team_db)] == ["not sent"] * 3


def test_a_grant_stored_before_addresses_were_checked_is_refused_before_sending(team_db, mail_server, tmp_path):
    with Store(team_db) as s:
        s.cursor().execute("INSERT INTO access_grants (who, role, granted_by, granted_at, crm_owner) "
                           "VALUES ('a,cc@agency.example', 'bizdev', 'cli:old', now(), 'Ana')")
    inbox = Inbox()
    r = send(team_db, _secrets(tmp_path, mail_server(inbox)))
    assert r.returncode == 2
    assert ("refused: a,cc@agency.example: not a usable mail address: it holds the character ',' (U+002C) "
            "before the @") in r.stdout
    assert r.stdout.splitlines()[0] == f"digest sent to 3: {BOSS}, {ANA}, {BO}"
    assert sorted(received(inbox)) == [ANA, BO, BOSS]


@pytest.mark.parametrize("who, why", [
    # line breaks are whitespace: refused already as no single address
    ("ana@agency.example\r\nBcc: evil@attacker.example", None),
    ("a,evil@agency.example", "it holds the character ',' (U+002C) before the @"),
    ("a<evil@agency.example", "it holds the character '<' (U+003C) before the @"),
    ('ana"@agency.example', "it holds the character '\"' (U+0022) before the @"),
    ("ana\u200b@agency.example", "it holds the control or invisible character U+200B"),
    ("ana\x00@agency.example", "it holds the control or invisible character U+0000"),
    ("ana@agency.example\u2028Bcc: evil@attacker.example", None),
    ("ana@agency..example", "its domain must be names joined by single dots"),
])
def test_a_grant_whose_email_could_carry_header_text_is_refused_when_saved(store, who, why):
    with pytest.raises(ValueError) as refused:
        access.grant(store, ADMIN, who, "bizdev")
    if why:
        assert why in str(refused.value)
    assert access.grants(store.cursor()).empty


def test_ordinary_addresses_and_domains_are_granted(store):
    for who in ("o'neil+sales@agency.example", "ana.lopez@mail.agency-example.org", "*@agency.example",
                "josé@universidad.example"):
        access.grant(store, ADMIN, who, "viewer")
    assert len(access.grants(store.cursor())) == 4


SETTINGS = 'host = "127.0.0.1"\nport = 25\nsender = "sales@agency.example"\nmanagers = ["boss@agency.example"]\n'


@pytest.mark.parametrize("line, why", [
    ('sender = "sales@agency.example\\r\\nBcc: evil@attacker.example"',
     "[smtp] sender 'sales@agency.example\\r\\nBcc: evil@attacker.example' cannot be used: it holds a line break "
     "(U+000D), which would start a mail header of its own"),
    ('sender = "Sales <sales@agency.example>, evil@attacker.example"',
     "[smtp] sender 'Sales <sales@agency.example>, evil@attacker.example' cannot be used: it must be one address"),
    ('managers = ["boss@agency.example", "x@agency.example\\nBcc: evil@attacker.example"]',
     "[smtp] managers[1] 'x@agency.example\\nBcc: evil@attacker.example' cannot be used: it holds a line break "
     "(U+000A)"),
    ('managers = ["boss@agency.example, evil@attacker.example"]',
     "[smtp] managers[0] 'boss@agency.example, evil@attacker.example' cannot be used: it holds a space (U+0020)"),
    ('host = "smtp.agency.example\\r\\nRCPT TO:<evil@attacker.example>"',
     "[smtp] host 'smtp.agency.example\\r\\nRCPT TO:<evil@attacker.example>' cannot be used: it must be text "
     "without spaces or control characters"),
    ('user = "sales\\r\\nAUTH"', "[smtp] user 'sales\\r\\nAUTH' cannot be used"),
])
def test_smtp_settings_that_could_carry_header_text_are_refused_when_read(tmp_path, line, why):
    key = line.split(" =")[0]
    body = "\n".join(x for x in SETTINGS.splitlines() if not x.startswith(key + " ")) + "\n" + line + "\n"
    path = tmp_path / "secrets.toml"
    path.write_text("[smtp]\n" + body, encoding="utf-8")
    with pytest.raises(DigestError) as refused:
        smtp_settings(path)
    assert why in str(refused.value)


def test_a_sender_with_a_display_name_is_read(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('[smtp]\nhost = "127.0.0.1"\nsender = "Sales dashboard <sales@agency.example>"\n',
                    encoding="utf-8")
    assert smtp_settings(path).sender == "Sales dashboard <sales@agency.example>"


def test_bad_settings_stop_the_digest_before_any_mail(team_db, mail_server, tmp_path):
    inbox = Inbox()
    port = mail_server(inbox)
    path = tmp_path / "secrets.toml"
    path.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "sales@agency.example"\n'
                    'managers = ["boss@agency.example\\r\\nBcc: evil@attacker.example"]\n', encoding="utf-8")
    r = send(team_db, path)
    assert r.returncode == 2 and "[smtp] managers[0]" in r.stderr
    assert inbox.mails == [] and recorded(team_db) == []
