"""The weekly digest: the This week page as a mail, in Markdown (plain text) or HTML, sent to each lead
owner with their own leads and to the managers with everyone's.

SMTP settings live in the ``[smtp]`` table of .streamlit/secrets.toml (git-ignored), beside sign-in:
``host``, ``port``, ``sender``, optional ``user`` and ``password``, ``starttls`` (default true when a
password is given) and ``managers`` (emails that get the team's digest). Sending, and the record of who
got each digest: sales/digest_send.py.
"""

from __future__ import annotations

import html
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from sales import mailaddr
from sales.access import Actor
from sales.attention import OVERDUE, THIS_WEEK, TODAY
from sales.forecast import TIERS
from sales.managers import Monday
from sales.money import not_converted
from sales.movement import STEP_LABELS, STEPS
from sales.paths import ROOT
from sales.tables import MONEY, money, one_line, readable
from sales.tomlvalues import whole
from sales.week import SHOWN, Week, own_leads, owner_names

FORMATS = ("md", "html")


class DigestError(ValueError):
    """The SMTP settings are missing or unusable; the message names the setting."""


def _sections(week: Week, monday: Monday | None = None,
              notes: tuple[str, ...] = ()) -> list[tuple[str, str, pd.DataFrame | None]]:
    """(heading, sentence, table) per section, the same for both formats, each table as people read it
    (``sales.tables.readable``, as the pages show it); the managers' sections with ``monday``; ``notes``: the
    capacity warnings."""
    c, q, ch = week.counts(), week.quarter, week.changes
    due = readable(week.followups.head(SHOWN)[["name", "owner", "category", "last_contact", "due", "state"]])
    stuck = readable(week.stuck.head(SHOWN)[["name", "owner", "stage", "days", "limit_days", "unmet"]])
    rescore = readable(week.rescore.head(SHOWN)[["name", "owner", "category", "reason"]])
    target = f" against a target of {money(q['target'])} ({q['target_basis']})" if q.get("target") else ""
    won = ", ".join(money(v, k) for k, v in ch["won_amount"].items()) or "nothing"
    forecast = (f"Weighted, in {q['currency']}: " + ", ".join(f"{t} {money(q[t])}" for t in TIERS)
                + f"; total {money(q['total'])}{target}.")
    return [
        ("Follow-ups", f"{c[OVERDUE]} overdue, {c[TODAY]} due today, {c[THIS_WEEK]} due later this week.", due),
        ("Stuck leads", f"{c['stuck']} open leads have sat in their stage longer than its limit.", stuck),
        ("To re-score", f"{c['to re-score']} open leads need a fresh assessment.", rescore),
        (f"Forecast {q['quarter']}", " ".join(filter(None, [forecast, not_converted(q["unconverted"])])), None),
        ("Last seven days", f"{ch['from']} to {ch['to']}: {ch['new_leads']} new leads, {ch['won']} won ({won}), "
         f"{ch['lost']} lost, {ch['stage_moves']} stage moves, {ch['assessments']} assessments.", None),
    ] + ([("Capacity next week", " ".join(notes), None)] if notes else []) + (_managers(monday) if monday else [])


def _managers(monday: Monday) -> list[tuple[str, str, pd.DataFrame | None]]:
    """Per owner, and what moved since last week: by name, and the pipeline per currency step by step."""
    owners = monday.owners
    currency = owners["currency"].iloc[0] if len(owners) else None  # one reporting currency (sales.managers)
    amounts = ("forecast", "target", "forecast_minus_target")
    table = readable(owners[["owner", "open_leads", "overdue", "stuck", *amounts]], dict.fromkeys(amounts, MONEY),
                     currency=currency)
    m = monday.moved
    counts = ", ".join(f"{n} {kind}" for kind, n in m.counts().items())
    lines = []
    for row in m.waterfall.to_dict("records"):
        steps = " ".join(f"{'+' if STEPS[s] > 0 else '−'} {STEP_LABELS[s].lower()} {money(row[s])}"
                         for s in m.step_names() if row[s])
        lines.append(f"{row['currency']}: {money(row['start'])} {steps} = {money(row['end'])}")
    pipeline = ("; open pipeline " + "; ".join(lines)) if lines else ""
    moves = readable(m.moves.head(SHOWN)[["kind", "name", "owner", "before", "after"]])  # before → after
    more = f" The first {SHOWN} of {len(m.moves)} are listed." if len(m.moves) > SHOWN else ""
    return [("Per owner", "Open leads, overdue follow-ups, stuck leads, and the quarter's weighted forecast against "
                          "each owner's own target.", table),
            ("Since last week", f"{m.start} to {m.end}: {counts}{pipeline}.{more}", moves)]


def _whose(week: Week) -> str:
    return ", ".join(week.owners) if week.owners else "everyone's leads"


def _md_cell(text: str) -> str:
    """A cell of a Markdown table: one line, its backslashes and bars shown as they are."""
    return one_line(text).replace("\\", "\\\\").replace("|", "\\|")


def to_markdown(week: Week, monday: Monday | None = None, notes: tuple[str, ...] = ()) -> str:
    lines = [f"# This week, {week.today}: {_md_cell(_whose(week))}", ""]
    for heading, sentence, table in _sections(week, monday, notes):
        lines += [f"## {heading}", "", sentence, ""]
        if table is not None and len(table):
            lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
            lines.append("|" + "---|" * len(table.columns))
            lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
            lines.append("")
    return "\n".join(lines)


def to_html(week: Week, monday: Monday | None = None, notes: tuple[str, ...] = ()) -> str:
    """Every value escaped: names from CRM files are shown as text, never as markup."""
    e = html.escape
    parts = [f"<h1>This week, {week.today}: {e(_whose(week))}</h1>"]
    for heading, sentence, table in _sections(week, monday, notes):
        parts += [f"<h2>{e(heading)}</h2>", f"<p>{e(sentence)}</p>"]
        if table is not None and len(table):
            head = "".join(f"<th>{e(c)}</th>" for c in table.columns)
            rows = "".join("<tr>" + "".join(f"<td>{e(one_line(v))}</td>" for v in row)
                           + "</tr>" for row in table.itertuples(index=False))
            parts.append(f"<table border=\"1\" cellpadding=\"4\"><tr>{head}</tr>{rows}</table>")
    return "<!doctype html><html><body>" + "".join(parts) + "</body></html>"


def render(week: Week, fmt: str = "md", monday: Monday | None = None, notes: tuple[str, ...] = ()) -> str:
    """The digest of ``week``; with ``monday``, the managers' one (per owner, and what moved); ``notes``: the
    capacity warnings."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return to_markdown(week, monday, notes) if fmt == "md" else to_html(week, monday, notes)


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
    # what goes into a mail header or an SMTP command is checked here, before anything is sent
    checks = [("sender", raw["sender"], mailaddr.sender_problem(raw["sender"]))]
    checks += [(f"managers[{i}]", m, mailaddr.problem(m)) for i, m in enumerate(managers)]
    checks += [(key, raw[key], "it must be text without spaces or control characters")
               for key in ("host", "user") if key in raw and not _plain(raw[key])]
    for key, value, why in checks:
        if why:
            raise DigestError(f"{path}: [smtp] {key} {value!r} cannot be used: {why}")
    return Smtp(raw["host"], port, raw["sender"], raw.get("user"), raw.get("password"),
                bool(raw.get("starttls", bool(raw.get("password")))), tuple(managers))


def _plain(value: object) -> bool:
    return isinstance(value, str) and bool(value) and value.isprintable() and not any(c.isspace() for c in value)


def recipients(cur: duckdb.DuckDBPyConnection, smtp: Smtp, owner: str | None = None) -> list[tuple[str, tuple]]:
    """(email, owners) pairs: each manager gets everyone's leads; each other person granted a role gets the
    leads they see by default on the This week page (``week.own_leads``), when those are anybody's in
    particular. With ``owner``, just that person, with the leads their CRM owner name (else email) has."""
    if owner:
        return [(owner, owner_names(cur, owner))]
    people = cur.execute("SELECT who, role FROM access_grants WHERE who NOT LIKE '*@%' ORDER BY who").fetchall()
    mine = [(who, own_leads(cur, Actor(who, role))) for who, role in people if who not in smtp.managers]
    return [(m, ()) for m in smtp.managers] + [(who, owners) for who, owners in mine if owners]

