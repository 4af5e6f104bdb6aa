"""Which rows of a store are demo data, removing them, and whether a store may be seeded with them.

A demo row is recognised by what ``sales.demo.write_demo`` writes, never by a guess:
- a table with an ``is_demo`` column: its rows where it is true (leads);
- a table with a ``lead_id`` column (assessments, gate facts, stage events, notes, budgets, …): the rows
  of demo leads. That includes what people entered by hand on a demo lead (an assessment, a note, a
  small-project offer): it is demo work and goes with its lead; the confirmation says so and counts it;
- time entries, budgets, people and their time off the demo wrote without an import (``MARKED``).
A table added later follows the same rules when it has one of those columns. The audit trail is never
touched: it keeps every row, and gains one saying what the removal took.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from sales import audit
from sales.access import Actor, authorise
from sales.demo import BUDGET_KEY, DEMO_SOURCE
from sales.sqltext import identifier, literal
from sales.store import Store, scalar

# rows the demo writes that belong to no demo lead, by table; imported rows always carry a batch
MARKED = {
    "time_entries": f"tool = {literal(DEMO_SOURCE)} AND batch_id IS NULL",
    "budgets": f"starts_with(entry_key, {literal(BUDGET_KEY)}) AND batch_id IS NULL",
    "people": f"entered_by = {literal(DEMO_SOURCE)} AND batch_id IS NULL",  # the demo team (sales/team/demo.py)
    "time_off": f"entered_by = {literal(DEMO_SOURCE)} AND batch_id IS NULL",
}
DEMO_LEADS = "SELECT id FROM leads WHERE is_demo"
KEPT = ("audit_log",)  # never changed by a removal
# what people do on a lead, as the audit trail names it, for the confirmation
WORK_WORDS = {"assessment": ("assessment", "assessments"), "gate": ("gate tick", "gate ticks"),
              "note": ("note", "notes"), "touch": ("logged contact", "logged contacts"),
              "offer": ("small-project offer", "small-project offers")}


def _columns(cur: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    return [r[0] for r in cur.execute(
        """SELECT table_name FROM information_schema.columns
           WHERE table_catalog = current_database() AND table_schema = 'main' AND column_name = ?
           ORDER BY table_name""", [column]).fetchall()]


def _conditions(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Table → the SQL condition its demo rows meet (fixed text: no value from people or files).
    Tables that refer to leads come first, so the leads themselves go last."""
    where: dict[str, list[str]] = {}
    for table in _columns(cur, "lead_id"):
        if table not in KEPT:
            where.setdefault(table, []).append(f"lead_id IN ({DEMO_LEADS})")
    for table, cond in MARKED.items():
        where.setdefault(table, []).append(cond)
    for table in _columns(cur, "is_demo"):
        if table not in KEPT:
            where.setdefault(table, []).append("is_demo")
    return {t: " OR ".join(f"({c})" for c in conds) for t, conds in where.items()}


@dataclass(frozen=True)
class DemoRows:
    """What a removal would take: rows per table, and people's work on demo leads by audit kind."""

    rows: dict[str, int]
    work: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def sentence(self) -> str:
        """The confirmation, in words."""
        r = dict(self.rows)
        leads, entries, budgets = r.pop("leads", 0), r.pop("time_entries", 0), r.pop("budgets", 0)
        history = sum(r.values())
        parts = [f"{leads:,} demo lead{'s' if leads != 1 else ''} with {history:,} rows of their history "
                 "(assessments, gate facts, stage changes, notes)"]
        parts += [f"{entries:,} demo time entr{'ies' if entries != 1 else 'y'}"] if entries else []
        parts += [f"{budgets:,} budget{'s' if budgets != 1 else ''} of demo accounts"] if budgets else []
        text = "Removes " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + "."
        if self.work:
            done = ", ".join(_counted(n, kind) for kind, n in self.work.items())
            text += f" Work people entered on demo leads goes with them: {done}."
        else:
            text += " Nobody has entered anything on the demo leads."
        return text + " Grants, the audit trail and imported data stay."


def _counted(n: int, kind: str) -> str:
    one, many = WORK_WORDS.get(kind, (f"{audit.CHANGE_KINDS.get(kind, kind).lower()}", None))
    return f"{n:,} {one if n == 1 or many is None else many}"


def demo_rows(cur: duckdb.DuckDBPyConnection) -> DemoRows:
    """Every demo row the store holds, counted per table (tables without any left out)."""
    counts = {t: scalar(cur, f"SELECT count(*) FROM {identifier(t)} WHERE {cond}")  # noqa: S608 (fixed text)
              for t, cond in _conditions(cur).items()}
    work = dict(cur.execute(f"""SELECT kind, count(*) FROM audit_log
                                WHERE lead_id IN ({DEMO_LEADS}) AND kind <> 'demo'
                                GROUP BY kind ORDER BY min(id)""").fetchall())  # noqa: S608 (fixed text)
    return DemoRows({t: n for t, n in counts.items() if n}, work)


def has_demo_rows(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether any demo row is left (the sidebar's banner): asked table by table, the leads first, and stopping at
    the first table holding one (one statement of every table's EXISTS read them all: a tenth of a second at
    5,000,000 time entries on every first view)."""
    where = _conditions(cur)
    return any(scalar(cur, f"SELECT EXISTS (SELECT 1 FROM {identifier(t)} WHERE {where[t]})")  # noqa: S608
               for t in sorted(where, key=lambda t: t != "leads"))


def remove_demo(store: Store, actor: Actor) -> DemoRows:
    """Remove every demo row in one transaction as ``actor`` (the demo's write role); returns what went.
    Grants, the audit trail and imported rows stay; the audit trail records the removal with its counts."""
    actor.require("demo")
    with store.transaction() as cur:
        authorise(cur, actor, "demo")
        before = demo_rows(cur)
        if not before.total:
            return before
        for table, cond in _conditions(cur).items():
            cur.execute(f"DELETE FROM {identifier(table)} WHERE {cond}")  # noqa: S608 (fixed text)
        audit.record(cur, actor, "demo_removed", "demo data removed", before=before.rows,
                     after={"people's work on demo leads": before.work} if before.work else None)
    return before


def never_used(cur: duckdb.DuckDBPyConnection) -> bool:
    """True for a store nothing was ever written to: no rows of any kind, no grant, and an empty audit
    trail (which every write, demo loads and removals included, appends to). Only such a store is seeded
    with demo data by ``make run``: one holding only grants is a team's store, and one whose demo was
    removed stays without it."""
    return not scalar(cur, """SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM access_grants)
                                     + (SELECT count(*) FROM leads) + (SELECT count(*) FROM time_entries)
                                     + (SELECT count(*) FROM budgets) + (SELECT count(*) FROM import_batches)""")
