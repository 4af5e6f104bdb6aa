"""Store-wide facts the shell needs on every page: the totals in the sidebar, the data version that keys
the query cache, what the filters offer, and finding a lead by name. Each dashboard's own figures come
from its module (priorities, funnel, budget, overview)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from sales.demo_rows import has_demo_rows
from sales.filters import Choices
from sales.rubric import default_rubric


@dataclass(frozen=True)
class StoreSummary:
    leads: int
    demo: bool  # any demo row left, in any table (sales/demo_rows.py)
    assessments: int
    time_entries: int
    hours: float
    budgets: int
    batches: int

    @property
    def empty(self) -> bool:
        return self.leads == 0 and self.time_entries == 0

    @property
    def is_demo(self) -> bool:
        return self.demo


def store_summary(cur: duckdb.DuckDBPyConnection) -> StoreSummary:
    row = cur.execute("""SELECT (SELECT count(*) FROM leads), ?, (SELECT count(*) FROM assessments),
                                (SELECT count(*) FROM time_entries),
                                (SELECT coalesce(sum(hours), 0) FROM time_entries),
                                (SELECT count(*) FROM budgets), (SELECT count(*) FROM import_batches)
                      """, [has_demo_rows(cur)]).fetchall()[0]
    return StoreSummary(*row[:4], float(row[4]), *row[5:])


# what a dashboard reads: a change to any of these tables changes the data version
VERSIONED = ("leads", "assessments", "lead_facts", "stage_events", "time_entries", "budgets", "lead_activity",
             "lead_updates", "import_batches")
_COUNTS = [f"SELECT {i} AS k, count(*) AS v FROM {t}" for i, t in enumerate(VERSIONED)]  # noqa: S608 (fixed)
_NEWEST = [f"SELECT {len(VERSIONED) + i}, coalesce(max(id), 0) FROM {t}"  # noqa: S608 (fixed names)
           for i, t in enumerate(("import_batches", "audit_log"))]
_VERSION_SQL = " UNION ALL ".join(_COUNTS + _NEWEST) + " ORDER BY k"
# what each value of the data version is: the row count of each versioned table, then the newest ids
VERSION_PARTS = (*VERSIONED, "newest_import", "newest_audit")


def data_version(cur: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever anything a dashboard reads changes: row counts (metadata, so cheap) and the newest
    import and audit row (every write adds one). One flat statement: about a millisecond on any store."""
    return tuple(v for _, v in cur.execute(_VERSION_SQL).fetchall())


def filter_choices(cur: duckdb.DuckDBPyConnection) -> Choices:
    """What the filters offer: category names, the lead sources and owners present, and the first and
    last dates the store holds (leads created or closed, time entries, budgets)."""
    sources, owners = ([r[0] for r in cur.execute(
        f"SELECT DISTINCT {col} FROM leads WHERE {col} IS NOT NULL ORDER BY 1").fetchall()]  # noqa: S608
        for col in ("lead_source", "owner"))
    first, last = cur.execute("""SELECT min(d), max(d) FROM (
        SELECT min(created_on) AS d FROM leads UNION ALL SELECT max(created_on) FROM leads
        UNION ALL SELECT max(closed_on) FROM leads UNION ALL SELECT min(work_date) FROM time_entries
        UNION ALL SELECT max(work_date) FROM time_entries UNION ALL SELECT min(effective_month) FROM budgets
        UNION ALL SELECT max(effective_month) FROM budgets)""").fetchall()[0]
    return Choices(tuple(c.name for c in default_rubric().categories), tuple(sources), tuple(owners), first, last)


def find_leads(cur: duckdb.DuckDBPyConnection, text: str = "", limit: int = 50) -> list[tuple[int, str]]:
    """Leads whose name or organisation contains ``text`` (newest first); the latest ones when empty."""
    pattern = f"%{text.strip()}%"
    return [(int(i), n) for i, n in cur.execute(
        """SELECT id, name || coalesce(' · ' || nullif(organisation, name), '') FROM leads
           WHERE name ILIKE ? OR organisation ILIKE ? ORDER BY created_on DESC NULLS LAST, id DESC LIMIT ?""",
        [pattern, pattern, limit]).fetchall()]


def lead_label(cur: duckdb.DuckDBPyConnection, lead_id: int) -> str | None:
    row = cur.execute("SELECT name FROM leads WHERE id = ?", [lead_id]).fetchall()
    return row[0][0] if row else None
