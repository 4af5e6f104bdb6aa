"""What undoing an import will do, in one sentence a person reads before saying yes.

Read from the store as it is now (the batch's own rows and the leads it changed), so the page's confirm step
and the CLI say the same thing: "Undo the import of hubspot.csv (12 Nov, 340 leads): removes 12 new leads and
restores 37 changed ones; notes and assessments made since stay."
"""

from __future__ import annotations

from datetime import date

import duckdb

# what one row of each kind of file is, singular and plural
NOUNS = {"leads": ("lead", "leads"), "time": ("time entry", "time entries"),
         "budgets": ("budget line", "budget lines"), "people": ("person", "people"),
         "time_off": ("time-off entry", "time-off entries")}
# rows an import adds, by table, in the words of the sentence
ADDED = (("time_entries", NOUNS["time"]), ("budgets", NOUNS["budgets"]), ("people", NOUNS["people"]),
         ("time_off", NOUNS["time_off"]))


def count(n: int, nouns: tuple[str, str]) -> str:
    """``1 lead``, ``1,204 time entries``."""
    return f"{n:,} {nouns[0] if n == 1 else nouns[1]}"


def when(day: date, today: date) -> str:
    """``12 Nov`` this year, ``12 Nov 2025`` another."""
    return f"{day.day} {day:%b}" + ("" if day.year == today.year else f" {day.year}")


def undo_sentence(cur: duckdb.DuckDBPyConnection, batch: int, today: date | None = None) -> str | None:
    """The sentence for undoing import ``batch``; None when there is no such batch."""
    found = cur.execute("SELECT file_name, kind, rows_read, imported_at FROM import_batches WHERE id = ?",
                        [batch]).fetchall()
    if not found:
        return None
    file_name, kind, rows_read, imported_at = found[0]
    today = today or date.today()
    opening = (f"Undo the import of {file_name} ({when(imported_at.date(), today)}, "
               f"{count(rows_read, NOUNS.get(kind, ('row', 'rows')))})")
    parts = []
    new_leads = cur.execute("SELECT count(*) FROM leads WHERE batch_id = ?", [batch]).fetchall()[0][0]
    changed = cur.execute("SELECT count(DISTINCT lead_id) FROM lead_updates WHERE batch_id = ?",
                          [batch]).fetchall()[0][0]
    if new_leads:
        parts.append(f"removes {count(new_leads, ('new lead', 'new leads'))}")
    if changed:
        parts.append(f"restores {changed:,} changed {'one' if changed == 1 else 'ones'}" if new_leads else
                     f"restores {count(changed, ('changed lead', 'changed leads'))}")
    for table, nouns in ADDED:
        n = cur.execute(f"SELECT count(*) FROM {table} WHERE batch_id = ?", [batch]).fetchall()[0][0]  # noqa: S608
        if n:
            hours = ""
            if table == "time_entries":
                total = cur.execute("SELECT sum(hours) FROM time_entries WHERE batch_id = ?", [batch]).fetchall()
                hours = f" ({total[0][0]:,.2f} h)".replace(".00 h", " h")
            parts.append(f"removes {count(n, nouns)}{hours}")
    rejected = cur.execute("SELECT count(*) FROM rejected_rows WHERE batch_id = ?", [batch]).fetchall()[0][0]
    if rejected:
        parts.append(f"drops the list of its {count(rejected, ('row', 'rows'))} with problems")
    if not parts:
        return f"{opening}: nothing it added is left; only its record in the import history goes."
    sentence = f"{opening}: {_and(parts)}"
    if kind == "leads":
        sentence += "; notes and assessments made since stay"
    return sentence + "."


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
