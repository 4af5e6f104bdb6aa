"""Mailing the weekly digest so that each person gets it once.

Every recipient's result is written to ``digest_deliveries`` (the digest's date, recipient, status, the
server's answer, when) the moment the mail server has answered for them, in a transaction of its own:
a run that stops half-way has still recorded who got it. One refused recipient does not stop the
others; a lost connection stops the run and those not reached yet are recorded as not sent. Running the
same digest again (the same day) mails only those without a "sent" record; ``resend`` mails everyone.
Addresses were checked when they were saved (grants, SMTP settings); one stored before that check is
refused here, before any mail, and the others still get theirs.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage

import duckdb

from sales import mailaddr
from sales.access import Actor, authorise
from sales.digest import Smtp, recipients, to_html, to_markdown
from sales.managers import Monday, monday
from sales.store import Store
from sales.team.capacity import team_warnings
from sales.week import Week, this_week

SENT, REFUSED, FAILED, NOT_SENT = "sent", "refused", "failed", "not sent"  # recorded
ALREADY, NOTHING = "already sent", "nothing due"  # only reported: no mail was attempted
NOT_RECEIVED = (REFUSED, FAILED, NOT_SENT)
TIMEOUT = 30  # seconds the mail server may take to answer


@dataclass(frozen=True)
class Delivery:
    recipient: str
    status: str
    error: str | None = None


def _text(error: object) -> str:
    """A server's answer or an exception as one printable line."""
    if isinstance(error, bytes):
        error = error.decode("utf-8", "replace")
    return " ".join("".join(c if c.isprintable() else " " for c in str(error)).split())


def sent_already(cur: duckdb.DuckDBPyConnection, day: date) -> set[str]:
    """Who has been mailed the digest of ``day``."""
    return {r[0] for r in cur.execute("SELECT DISTINCT recipient FROM digest_deliveries "
                                      "WHERE digest_date = ? AND status = ?", [day, SENT]).fetchall()}


def _record(store: Store, actor: Actor, day: date, d: Delivery) -> None:
    with store.transaction() as cur:
        authorise(cur, actor, "send_digest")
        cur.execute("INSERT INTO digest_deliveries VALUES (?, ?, ?, ?, ?)",
                    [day, d.recipient, d.status, d.error, datetime.now()])


def _has_news(week: Week, owners: tuple) -> bool:
    """A manager's digest always goes; an owner's only when something is due, stuck, to re-score or forecast."""
    return not owners or any(week.counts().values()) or bool(week.quarter["total"])


def _message(week: Week, team: Monday | None, notes: tuple[str, ...], today: date, smtp: Smtp,
             to: str) -> EmailMessage:
    """``team``: the managers' sections (per owner, since last week), for a digest of everyone's leads;
    ``notes``: the capacity warnings, the same for everyone."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = f"This week in sales, {today}", smtp.sender, to
    msg.set_content(to_markdown(week, team, notes))
    msg.add_alternative(to_html(week, team, notes), subtype="html")
    return msg


def send(store: Store, actor: Actor, today: date, smtp: Smtp, owner: str | None = None,
         resend: bool = False) -> list[Delivery]:
    """Mail each recipient the digest of ``today`` (Markdown text with an HTML alternative), skipping those
    who already got it unless ``resend``; returns every recipient's result, in the recipients' order."""
    actor.require("send_digest")
    cur = store.cursor()
    done = set() if resend else sent_already(cur, today)
    results: dict[str, Delivery] = {}
    outbox: list[tuple[str, EmailMessage]] = []
    weeks: dict[tuple, Week] = {}  # managers share one: computed once
    team: Monday | None = None  # the managers' sections, likewise
    notes = tuple(team_warnings(cur, today))  # bench time or overload next week, the same for everyone
    for email, owners in recipients(cur, smtp, owner):
        why = mailaddr.problem(email)
        if why:
            results[email] = Delivery(email, REFUSED, f"not a usable mail address: {why}")
            _record(store, actor, today, results[email])
            continue
        if email in done:
            results[email] = Delivery(email, ALREADY)
            continue
        if owners not in weeks:
            weeks[owners] = this_week(cur, today, owners)
        if not _has_news(weeks[owners], owners):
            results[email] = Delivery(email, NOTHING)
            continue
        if not owners and team is None:
            team = monday(cur, today)
        results[email] = Delivery(email, NOT_SENT)  # until the server answers
        outbox.append((email, _message(weeks[owners], None if owners else team, notes, today, smtp, email)))
    cur.close()
    for d in _deliver(smtp, outbox):
        results[d.recipient] = d
        _record(store, actor, today, d)
    return list(results.values())


def _deliver(smtp: Smtp, outbox: list[tuple[str, EmailMessage]]):
    """Each mail's result as the server gives it (a generator: each is recorded before the next is sent)."""
    if not outbox:
        return
    try:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
    except (OSError, smtplib.SMTPException) as e:
        for email, _ in outbox:
            yield Delivery(email, NOT_SENT, f"the mail server {smtp.host}:{smtp.port} could not be reached: {_text(e)}")
        return
    lost = None
    try:
        try:
            if smtp.starttls:
                server.starttls()
            if smtp.user and smtp.password:
                server.login(smtp.user, smtp.password)
        except (OSError, smtplib.SMTPException) as e:
            lost = f"the mail server refused the session: {_text(e)}"
        for email, msg in outbox:
            if lost:
                yield Delivery(email, NOT_SENT, f"not tried: {lost}")
                continue
            try:
                server.send_message(msg)
            except smtplib.SMTPRecipientsRefused as e:
                code, answer = next(iter(e.recipients.values()))
                yield Delivery(email, REFUSED, f"{code} {_text(answer)}")
            except (smtplib.SMTPServerDisconnected, OSError) as e:
                lost = f"the connection to the mail server was lost ({_text(e) or 'closed'})"
                yield Delivery(email, FAILED, lost)
            except smtplib.SMTPResponseException as e:
                if e.smtp_code == 421:  # the server is closing the session
                    lost = f"the mail server closed the session: 421 {_text(e.smtp_error)}"
                yield Delivery(email, FAILED, f"{e.smtp_code} {_text(e.smtp_error)}")
            except (smtplib.SMTPException, ValueError, UnicodeError) as e:
                yield Delivery(email, FAILED, _text(e))
            else:
                yield Delivery(email, SENT)
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()


def report(results: list[Delivery], today: date) -> tuple[list[str], int]:
    """What the command line prints, and its exit status: 0 when nobody who should have got the digest
    went without, else 2."""
    sent = [d.recipient for d in results if d.status == SENT]
    lines = [f"digest sent to {len(sent)}: {', '.join(sent) or 'nobody (nothing due for anyone)'}"]
    already = [d.recipient for d in results if d.status == ALREADY]
    if already:
        lines.append(f"already sent for {today} (--resend sends it again): {', '.join(already)}")
    missed = [d for d in results if d.status in NOT_RECEIVED]
    lines += [f"{d.status}: {d.recipient}: {d.error}" for d in missed]
    if missed:
        lines.append(f"{len(missed)} did not get the digest of {today}: run the same command again (same --today) "
                     "to mail only them")
    return lines, 2 if missed else 0
