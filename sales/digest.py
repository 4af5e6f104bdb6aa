"""The weekly digest: the This week page as a mail, in Markdown (plain text) or HTML, sent to each lead
owner with their own leads and to the managers with everyone's.

SMTP settings live in the ``[smtp]`` table of .streamlit/secrets.toml (git-ignored), beside sign-in:
``host``, ``port``, ``sender``, optional ``user`` and ``password``, ``starttls`` (default true when a
password is given) and ``managers`` (emails that get the team's digest).
"""

from __future__ import annotations

import html
import os
import smtplib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pandas as pd

from sales.access import ROLES, Actor
from sales.attention import OVERDUE, THIS_WEEK, TODAY
from sales.forecast import TIERS
from sales.paths import ROOT
from sales.team.capacity import team_warnings
from sales.tomlvalues import whole
from sales.week import SHOWN, Week, owner_names, this_week

FORMATS = ("md", "html")


class DigestError(ValueError):
    """The SMTP settings are missing or unusable; the message names the setting."""


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _sections(week: Week, notes: tuple[str, ...] = ()) -> list[tuple[str, str, pd.DataFrame | None]]:
    """(heading, sentence, table) per section, the same for both formats; ``notes``: the capacity warnings."""
    c, q, ch = week.counts(), week.quarter, week.changes
    due = week.followups.head(SHOWN)[["name", "owner", "category", "last_touch", "due", "state"]]
    stuck = week.stuck.head(SHOWN)[["name", "owner", "stage", "days", "limit_days", "unmet"]]
    rescore = week.rescore.head(SHOWN)[["name", "owner", "category", "reason"]]
    target = f" against a target of {_money(q['target'])}" if q.get("target") else ""
    left = "".join(f"; not converted: {_money(v)} {k}" for k, v in q["unconverted"].items())
    won = ", ".join(f"{_money(v)} {k}" for k, v in ch["won_amount"].items()) or "nothing"
    return [
        ("Follow-ups", f"{c[OVERDUE]} overdue, {c[TODAY]} due today, {c[THIS_WEEK]} due later this week.", due),
        ("Stuck leads", f"{c['stuck']} open leads have sat in their stage longer than its limit.", stuck),
        ("To re-score", f"{c['to re-score']} open leads need a fresh assessment.", rescore),
        (f"Forecast {q['quarter']}",
         f"Weighted, in {q['currency']}: " + ", ".join(f"{t} {_money(q[t])}" for t in TIERS)
         + f"; total {_money(q['total'])}{target}{left}.", None),
        ("Last seven days", f"{ch['from']} to {ch['to']}: {ch['new_leads']} new leads, {ch['won']} won ({won}), "
         f"{ch['lost']} lost, {ch['stage_moves']} stage moves, {ch['assessments']} assessments.", None),
    ] + ([("Capacity next week", " ".join(notes), None)] if notes else [])


def _whose(week: Week) -> str:
    return ", ".join(week.owners) if week.owners else "everyone's leads"


def _cell(value: object) -> str:
    """A table value as one line of text: a date without a midnight time, nothing for a missing value."""
    if isinstance(value, pd.Timestamp):
        value = value.date() if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    text = "" if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)) else str(value)
    return " ".join(text.split())


def _md_cell(value: object) -> str:
    return _cell(value).replace("\\", "\\\\").replace("|", "\\|")


def to_markdown(week: Week, notes: tuple[str, ...] = ()) -> str:
    lines = [f"# This week, {week.today}: {_md_cell(_whose(week))}", ""]
    for heading, sentence, table in _sections(week, notes):
        lines += [f"## {heading}", "", sentence, ""]
        if table is not None and len(table):
            lines.append("| " + " | ".join(str(c).replace("_", " ") for c in table.columns) + " |")
            lines.append("|" + "---|" * len(table.columns))
            lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
            lines.append("")
    return "\n".join(lines)


def to_html(week: Week, notes: tuple[str, ...] = ()) -> str:
    """Every value escaped: names from CRM files are shown as text, never as markup."""
    e = html.escape
    parts = [f"<h1>This week, {week.today}: {e(_whose(week))}</h1>"]
    for heading, sentence, table in _sections(week, notes):
        parts += [f"<h2>{e(heading)}</h2>", f"<p>{e(sentence)}</p>"]
        if table is not None and len(table):
            head = "".join(f"<th>{e(str(c).replace('_', ' '))}</th>" for c in table.columns)
            rows = "".join("<tr>" + "".join(f"<td>{e(_cell(v))}</td>" for v in row)
                           + "</tr>" for row in table.itertuples(index=False))
            parts.append(f"<table border=\"1\" cellpadding=\"4\"><tr>{head}</tr>{rows}</table>")
    return "<!doctype html><html><body>" + "".join(parts) + "</body></html>"


def render(week: Week, fmt: str = "md", notes: tuple[str, ...] = ()) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return to_markdown(week, notes) if fmt == "md" else to_html(week, notes)


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    managers: tuple[str, ...] = ()


def secrets_path() -> Path:
    return Path(os.environ.get("SALES_SECRETS") or ROOT / ".streamlit" / "secrets.toml")


def smtp_settings(path: Path | None = None) -> Smtp:
    path = path or secrets_path()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise DigestError(f"{path}: no such file; add an [smtp] table to send the digest (README: Weekly digest)") \
            from e
    except tomllib.TOMLDecodeError as e:
        raise DigestError(f"{path}: not valid TOML ({e})") from e
    raw = doc.get("smtp")
    if not isinstance(raw, Mapping):
        raise DigestError(f"{path}: no [smtp] table (README: Weekly digest)")
    for key in ("host", "sender"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise DigestError(f"{path}: [smtp] {key} must be text")
    port = raw.get("port", 587)
    if not whole(port, 1, 65535):
        raise DigestError(f"{path}: [smtp] port must be a port number")
    managers = raw.get("managers", [])
    if not isinstance(managers, list) or not all(isinstance(m, str) for m in managers):
        raise DigestError(f"{path}: [smtp] managers must be a list of emails")
    return Smtp(raw["host"], port, raw["sender"], raw.get("user"), raw.get("password"),
                bool(raw.get("starttls", bool(raw.get("password")))), tuple(managers))


def recipients(cur: duckdb.DuckDBPyConnection, smtp: Smtp, owner: str | None = None) -> list[tuple[str, tuple]]:
    """(email, owners) pairs: each person whose role may work leads (bizdev and up) gets their own leads
    (when they own any), each manager everyone's. With ``owner``, just that person."""
    if owner:
        return [(owner, owner_names(cur, owner))]
    working = [role for role in ROLES if Actor("", role).may("work_lead")]
    people = [r[0] for r in cur.execute("""SELECT who FROM access_grants WHERE who NOT LIKE '*@%'
                                           AND list_contains(?::VARCHAR[], role) ORDER BY who""",
                                        [working]).fetchall()]
    out = [(m, ()) for m in smtp.managers]
    return out + [(p, owner_names(cur, p)) for p in people if p not in smtp.managers]


def send(cur: duckdb.DuckDBPyConnection, today, smtp: Smtp, owner: str | None = None) -> list[str]:
    """Mail each recipient their digest (Markdown text with an HTML alternative); returns who got one.
    Owners with nothing due, stuck or to re-score, and no forecast, get no mail."""
    sent = []
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.user and smtp.password:
            server.login(smtp.user, smtp.password)
        weeks: dict[tuple, Week] = {}  # managers share one: computed once
        notes = tuple(team_warnings(cur, today))  # bench time or overload next week, the same for everyone
        for email, owners in recipients(cur, smtp, owner):
            if owners not in weeks:
                weeks[owners] = this_week(cur, today, owners)
            week = weeks[owners]
            if owners and not any(week.counts().values()) and not week.quarter["total"]:
                continue
            msg = EmailMessage()
            msg["Subject"], msg["From"], msg["To"] = f"This week in sales, {today}", smtp.sender, email
            msg.set_content(to_markdown(week, notes))
            msg.add_alternative(to_html(week, notes), subtype="html")
            server.send_message(msg)
            sent.append(email)
    return sent
