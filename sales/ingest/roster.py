"""people.csv and time_off.csv → the roster, with every bad row rejected by line and column.

The files are small (a row per person and cost-rate change, a row per absence), so after typed staging in
SQL (dates and numbers read the way every other import reads them: a number by ``quantities``, so ``1,250.00``
is a rate of 1250 here as in a budget) the checks are those of ``sales.team.roster``, the same ones a change
by hand goes through; a number that reader refuses reaches them as its text, and they name the problem.

Rows are only added: a person's row that differs from the stored one for the same name and effective_from is
stored after it and wins, so undoing the import brings the earlier one back, and nothing entered by hand is
ever removed.
"""

from __future__ import annotations

from decimal import Decimal

from sales.ingest.formats import Detection
from sales.ingest.quantities import BUDGET_HOURS, RATE, number_sql, problem_sql, sniff_decimal
from sales.ingest.reader import CsvLayout
from sales.ingest.rejects import Rejects
from sales.ingest.results import ImportResult
from sales.ingest.values import date_sql, sniff_date, text_sql

KINDS = ("people", "time_off")
DATES = ("start", "end", "effective_from", "from", "to")  # read as every import reads dates
NUMBERS = {"weekly_capacity_hours": BUDGET_HOURS, "cost_rate": RATE, "hours_per_day": BUDGET_HOURS}  # and numbers


def _stage_sql(det: Detection, layout: CsvLayout, src: str) -> str:
    exprs = ["rid"]
    for name, i in det.columns.items():
        c = f"c{i}"
        if name in DATES:
            exprs.append(f"{date_sql(c, sniff_date(layout.column(i), det.format.date_order))} AS \"{name}\"")
        elif name in NUMBERS:
            value = number_sql(c, sniff_decimal(layout.column(i)))
            exprs.append(f"{value} AS \"{name}\"")
            exprs.append(f"{problem_sql(value, c, NUMBERS[name])} AS \"{name}__problem\"")
        else:
            exprs.append(f"{text_sql(c)} AS \"{name}\"")
        exprs.append(f"{text_sql(c)} AS \"{name}__raw\"")
    return f"SELECT {', '.join(exprs)} FROM {src} ORDER BY rid"


def _unread(row: dict, det: Detection) -> tuple[str, str] | None:
    """(field, reason) for a date the staging could not read."""
    for name in det.columns:
        if name in DATES and row.get(f"{name}__raw") is not None and row.get(name) is None:
            return name, f"cannot read {row[name + '__raw']!r} as a date"
    return None


def _numbers_as_text(row: dict, det: Detection) -> None:
    """Each number as the roster's checks take it: the value read, written out in plain digits, or the file's
    text where the reader refused it (the checks then say why)."""
    for name in NUMBERS.keys() & det.columns.keys():
        value = row[name]
        row[name] = row[f"{name}__raw"] if row.pop(f"{name}__problem") is not None or value is None \
            else format(Decimal(repr(value)), "f")


def import_rows(cur, det: Detection, layout: CsvLayout, src: str, batch: int, result: ImportResult,
                rejects: Rejects) -> None:
    """Import the staged rows of a people or time_off file into batch ``batch``."""
    from sales.team.roster import RosterError  # pandas and numpy load only for roster files, not for time exports

    rows = [dict(zip([d[0] for d in cur.description], r)) for r in cur.execute(_stage_sql(det, layout, src)).fetchall()]
    result.rows_read = len(rows)
    take = _take_person if det.format.kind == "people" else _take_time_off
    state = _state(cur, det.format.kind)
    for row in rows:
        _numbers_as_text(row, det)
        problem = _unread(row, det)
        if problem is None:
            try:
                take(cur, row, batch, result, state)
                continue
            except RosterError as e:
                problem = e.args if len(e.args) == 2 else ("name", str(e))
        field, reason = problem
        rejects.add_record(int(row["rid"]), layout.header[det.columns.get(field, 0)], reason)


def _state(cur, kind: str) -> dict:
    """What the store holds already: current people rows by (name, effective_from), or time off."""
    from sales.team.roster import PERSON_FIELDS, people

    if kind == "people":
        held = people(cur)
        return {"held": {(r["name"], r["effective_from"].date() if hasattr(r["effective_from"], "date")
                          else r["effective_from"]): tuple(_norm(r[f]) for f in PERSON_FIELDS)
                         for r in held.to_dict("records")}, "seen": set()}
    held = cur.execute("SELECT person, from_date, to_date, hours_per_day FROM time_off").fetchall()
    return {"held": {tuple(r) for r in held}, "known": set(people(cur)["name"]), "seen": set()}


def _norm(v):
    """Stored and staged values compared alike: NaN and NaT as None, timestamps as dates."""
    if v is None or (isinstance(v, float) and v != v) or str(v) == "NaT":
        return None
    return v.date() if hasattr(v, "date") and not isinstance(v, str) else v


def _take_person(cur, row: dict, batch: int, result: ImportResult, state: dict) -> None:
    from sales.team.roster import PERSON_FIELDS, check_person

    values = check_person(row)
    key = (values["name"], values["effective_from"])
    new = tuple(_norm(values[f]) for f in PERSON_FIELDS)
    if key in state["seen"] or state["held"].get(key) == new:
        result.duplicates += 1
        return
    state["seen"].add(key)
    cur.execute(f"""INSERT INTO people (batch_id, entered_by, name, effective_from, {', '.join(PERSON_FIELDS)})
                    VALUES (?, 'import', ?, ?, {', '.join('?' * len(PERSON_FIELDS))})""",
                [batch, *key, *[values[f] for f in PERSON_FIELDS]])
    result.imported += 1


def _take_time_off(cur, row: dict, batch: int, result: ImportResult, state: dict) -> None:
    from sales.team.roster import check_time_off

    v = check_time_off(row, state["known"])
    key = (v["person"], v["from"], v["to"], v["hours_per_day"])
    if key in state["held"] or key in state["seen"]:
        result.duplicates += 1
        return
    state["seen"].add(key)
    cur.execute("""INSERT INTO time_off (batch_id, entered_by, person, from_date, to_date, hours_per_day)
                   VALUES (?, 'import', ?, ?, ?, ?)""", [batch, *key])
    result.imported += 1


def undo(cur, batch: int) -> dict[str, int]:
    """Remove what batch ``batch`` added to the roster; returns rows removed per table."""
    return {table: int(cur.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch]).fetchall()[0][0])  # noqa: S608
            for table in ("people", "time_off")}
