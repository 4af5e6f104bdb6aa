"""Budgets in the canonical layout: per account, a change point from a month on. Typed and checked in SQL
(``staged_budgets``); a change point the store holds already is a duplicate; an undo removes a batch's."""

from __future__ import annotations

from sales.ingest.formats import Detection
from sales.ingest.reader import CsvLayout
from sales.ingest.rejects import Rejects, rows_by_record
from sales.ingest.results import ImportResult
from sales.ingest.values import date_sql, number_sql, sniff_date, sniff_decimal, text_sql
from sales.store import scalar

BUDGET_KINDS = ("retainer", "fixed", "discovery", "development")
BUDGET_ERRORS = {
    1: "no account or client",
    2: "cannot read {value!r} as a month (e.g. 2026-01 or 2026-01-01)",
    3: "cannot read {value!r} as a number of hours",
    4: "a budget needs monthly_hours or fixed_total_hours",
    5: "{value!r} is not a budget kind (retainer, fixed, discovery, development)",
    6: "hours must not be negative, got {value!r}",
}


def budget_stage_sql(det: Detection, layout: CsvLayout, src: str) -> tuple[str, list[str]]:
    cols = det.columns

    def raw(name: str) -> str:
        return f"c{cols[name]}" if name in cols else "NULL"

    def num(name: str) -> str:
        return number_sql(raw(name), sniff_decimal(layout.column(cols[name]))) if name in cols else "NULL::DOUBLE"

    month_raw = raw("effective_month")
    # '2026-01' alone is a month: complete it to the first day before reading the date
    as_day = f"CASE WHEN regexp_full_match(trim({month_raw}), '\\d{{4}}-\\d{{1,2}}') THEN trim({month_raw}) || '-01' " \
             f"ELSE {month_raw} END"
    layout_ = sniff_date([v + "-01" if len(v.strip()) <= 7 and "-" in v else v
                          for v in layout.column(cols["effective_month"])], prefer=det.format.date_order)
    month = f"date_trunc('month', {date_sql(as_day, layout_)})::DATE"
    kinds = ", ".join(f"'{k}'" for k in BUDGET_KINDS)
    kind = ("coalesce(lower(nullif(trim(kind_raw), '')), "
            "CASE WHEN monthly_hours IS NULL THEN 'fixed' ELSE 'retainer' END)")
    i = {name: cols.get(name, cols["effective_month"]) for name in
         ("account", "effective_month", "monthly_hours", "fixed_total_hours", "kind")}
    mh_bad = f"{text_sql('mh_raw')} IS NOT NULL AND monthly_hours IS NULL"
    checks = [  # (code, condition, column index, offending raw text), first failing wins
        (1, "account IS NULL", i["account"], "NULL"),
        (2, "effective_month IS NULL", i["effective_month"], "month_raw"),
        (3, mh_bad, i["monthly_hours"], "mh_raw"),
        (3, f"{text_sql('fh_raw')} IS NOT NULL AND fixed_total_hours IS NULL",
         i["fixed_total_hours"], "fh_raw"),
        (4, "monthly_hours IS NULL AND fixed_total_hours IS NULL", i["monthly_hours"], "NULL"),
        (5, f"kind NOT IN ({kinds})", i["kind"], "kind"),
        (6, "monthly_hours < 0 OR fixed_total_hours < 0", i["monthly_hours"], "coalesce(mh_raw, fh_raw)"),
    ]

    def case(pick: int) -> str:
        return "CASE " + " ".join(f"WHEN {c[1]} THEN {c[pick]}" for c in checks) + " END"

    sql = f"""SELECT *, {case(0)} AS err, {case(2)} AS err_col, {case(3)} AS err_val,
                     md5(concat_ws('|', account, effective_month, kind, monthly_hours, fixed_total_hours,
                                   hourly_rate)) AS entry_key
              FROM (SELECT *, {kind} AS kind FROM (
                SELECT rid, {text_sql(raw('account'))} AS account, {month} AS effective_month,
                       {num('monthly_hours')} AS monthly_hours, {num('fixed_total_hours')} AS fixed_total_hours,
                       {num('hourly_rate')} AS hourly_rate, upper({text_sql(raw('currency'))}) AS currency,
                       {raw('kind')} AS kind_raw, {month_raw} AS month_raw,
                       {raw('monthly_hours')} AS mh_raw, {raw('fixed_total_hours')} AS fh_raw
                FROM {src}))"""
    return sql, []


def import_rows(cur, det: Detection, layout: CsvLayout, src: str, batch: int, result: ImportResult,
                rejects: Rejects) -> None:
    """Budgets from ``src`` (the file's records as text, with their index ``rid``): rejects by line and
    column, and the change points the store does not hold yet."""
    stage_sql, warnings = budget_stage_sql(det, layout, src)
    result.warnings += warnings
    cur.execute(f"CREATE OR REPLACE TEMP TABLE staged_budgets AS {stage_sql}")
    result.rows_read = scalar(cur, "SELECT count(*) FROM staged_budgets")
    before = rejects.count
    for rid, code, col, value in rows_by_record(cur, "SELECT rid, err, err_col, err_val FROM staged_budgets "
                                                     "WHERE err IS NOT NULL"):
        rejects.add_record(rid, layout.header[col], BUDGET_ERRORS[code].format(value=value))
    bad = rejects.count - before
    cur.execute("""CREATE OR REPLACE TEMP TABLE new_budgets AS SELECT * FROM staged_budgets s WHERE err IS NULL
                   AND entry_key NOT IN (SELECT entry_key FROM budgets)
                   QUALIFY row_number() OVER (PARTITION BY entry_key ORDER BY rid) = 1""")
    result.imported = scalar(cur, f"""INSERT INTO budgets (batch_id, account, effective_month, monthly_hours,
                                      fixed_total_hours, hourly_rate, currency, kind, entry_key)
                                      SELECT {int(batch)}, account, effective_month, monthly_hours, fixed_total_hours,
                                             hourly_rate, currency, kind, entry_key FROM new_budgets""")
    result.duplicates = result.rows_read - bad - result.imported
    cur.execute("DROP TABLE IF EXISTS staged_budgets; DROP TABLE IF EXISTS new_budgets")


def undo(cur, batch: int) -> dict[str, int]:
    """Remove a batch's budget change points; returns how many."""
    return {"budgets": scalar(cur, "DELETE FROM budgets WHERE batch_id = ?", [batch])}
