"""Budgets in the canonical layout: per account, a change point from a month on. Typed and checked in SQL
(``staged_budgets``); a change point the store holds already is a duplicate; an undo removes a batch's."""

from __future__ import annotations

from sales.ingest.formats import Detection
from sales.ingest.quantities import (
    BUDGET_HOURS,
    RATE,
    amount_currency,
    amount_sql,
    number_sql,
    problem_sql,
    problem_text,
    sniff_decimal,
)
from sales.ingest.reader import CsvLayout
from sales.ingest.rejects import Rejects, rows_by_record
from sales.ingest.results import ImportResult
from sales.ingest.values import date_sql, sniff_date, text_sql
from sales.store import scalar

BUDGET_KINDS = ("retainer", "fixed", "discovery", "development")
BUDGET_ERRORS = {
    1: "no account or client",
    2: "cannot read {value!r} as a month (e.g. 2026-01 or 2026-01-01)",
    4: "a budget needs monthly_hours or fixed_total_hours",
    5: "{value!r} is not a budget kind (retainer, fixed, discovery, development)",
}
HOURS_PROBLEM, RATE_PROBLEM = 10, 20  # + quantities.UNREADABLE, NEGATIVE or OUT_OF_RANGE
CURRENCY_PROBLEM = 30  # the value is the whole sentence


def reason(code: int, value: str | None) -> str:
    if code == CURRENCY_PROBLEM:
        return value
    if code > RATE_PROBLEM:
        return problem_text(code - RATE_PROBLEM, value, RATE)
    if code > HOURS_PROBLEM:
        return problem_text(code - HOURS_PROBLEM, value, BUDGET_HOURS)
    return BUDGET_ERRORS[code].format(value=value)


def budget_stage_sql(det: Detection, layout: CsvLayout, src: str) -> tuple[str, list[str]]:
    cols = det.columns

    def raw(name: str) -> str:
        return f"c{cols[name]}" if name in cols else "NULL"

    def num(name: str) -> str:
        return number_sql(raw(name), sniff_decimal(layout.column(cols[name]))) if name in cols else "NULL::DOUBLE"

    rate, rate_mark = (amount_sql(raw("hourly_rate"), sniff_decimal(layout.column(cols["hourly_rate"])))
                       if "hourly_rate" in cols else ("NULL::DOUBLE", "NULL"))
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
         ("account", "effective_month", "monthly_hours", "fixed_total_hours", "hourly_rate", "kind")}
    checks = [  # (code, condition, column index, offending raw text), first failing wins
        (1, "account IS NULL", i["account"], "NULL"),
        (2, "effective_month IS NULL", i["effective_month"], "month_raw"),
        (f"{HOURS_PROBLEM} + mh_problem", "mh_problem IS NOT NULL", i["monthly_hours"], "mh_raw"),
        (f"{HOURS_PROBLEM} + fh_problem", "fh_problem IS NOT NULL", i["fixed_total_hours"], "fh_raw"),
        (4, "monthly_hours IS NULL AND fixed_total_hours IS NULL", i["monthly_hours"], "NULL"),
        (5, f"kind NOT IN ({kinds})", i["kind"], "kind"),
        (f"{RATE_PROBLEM} + rate_problem", "rate_problem IS NOT NULL", i["hourly_rate"], "rate_raw"),
    ]

    def case(pick: int) -> str:
        return "CASE " + " ".join(f"WHEN {c[1]} THEN {c[pick]}" for c in checks) + " END"

    sql = f"""SELECT *, {case(0)} AS err, {case(2)} AS err_col, {case(3)} AS err_val,
                     md5(concat_ws('|', account, effective_month, kind, monthly_hours, fixed_total_hours,
                                   hourly_rate)) AS entry_key
              FROM (SELECT *, {kind} AS kind,
                           {problem_sql('monthly_hours', 'mh_raw', BUDGET_HOURS)} AS mh_problem,
                           {problem_sql('fixed_total_hours', 'fh_raw', BUDGET_HOURS)} AS fh_problem,
                           {problem_sql('hourly_rate', 'rate_raw', RATE)} AS rate_problem FROM (
                SELECT rid, {text_sql(raw('account'))} AS account, {month} AS effective_month,
                       {num('monthly_hours')} AS monthly_hours, {num('fixed_total_hours')} AS fixed_total_hours,
                       {rate} AS hourly_rate, {rate_mark} AS rate_mark, {text_sql(raw('currency'))} AS currency,
                       {raw('kind')} AS kind_raw, {month_raw} AS month_raw,
                       {raw('monthly_hours')} AS mh_raw, {raw('fixed_total_hours')} AS fh_raw,
                       {raw('hourly_rate')} AS rate_raw
                FROM {src}))"""
    return sql, []


def _currencies(cur, det: Detection, layout: CsvLayout) -> None:
    """Each row's currency as an ISO 4217 code (``money.iso_currency``, over the distinct texts): from its
    currency column or the sign beside its rate; a currency that is none rejects the row."""
    pairs = cur.execute("""SELECT DISTINCT currency, rate_mark, rate_raw FROM staged_budgets
                           WHERE err IS NULL AND (currency IS NOT NULL OR rate_mark IS NOT NULL)""").fetchall()
    if not pairs:
        return
    dollar = det.format.options.get("dollar")
    found = [amount_currency(raw, named, mark, dollar, RATE) for named, mark, raw in pairs]
    column = {"currency": det.columns.get("currency"), "amount": det.columns.get("hourly_rate")}
    cur.execute("""UPDATE staged_budgets s SET currency = m.code, err = m.err, err_col = m.col, err_val = m.why
                   FROM (SELECT unnest(?::VARCHAR[]) AS named, unnest(?::VARCHAR[]) AS mark,
                                unnest(?::VARCHAR[]) AS raw, unnest(?::VARCHAR[]) AS code,
                                unnest(?::INTEGER[]) AS err, unnest(?::INTEGER[]) AS col,
                                unnest(?::VARCHAR[]) AS why) m
                   WHERE s.err IS NULL AND s.currency IS NOT DISTINCT FROM m.named
                     AND s.rate_mark IS NOT DISTINCT FROM m.mark AND s.rate_raw IS NOT DISTINCT FROM m.raw""",
                [[p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs],
                 [code for code, _ in found], [None if why is None else CURRENCY_PROBLEM for _, why in found],
                 [None if why is None else column[why[0]] for _, why in found],
                 [None if why is None else why[1] for _, why in found]])


def import_rows(cur, det: Detection, layout: CsvLayout, src: str, batch: int, result: ImportResult,
                rejects: Rejects) -> None:
    """Budgets from ``src`` (the file's records as text, with their index ``rid``): rejects by line and
    column, and the change points the store does not hold yet."""
    stage_sql, warnings = budget_stage_sql(det, layout, src)
    result.warnings += warnings
    cur.execute(f"CREATE OR REPLACE TEMP TABLE staged_budgets AS {stage_sql}")
    _currencies(cur, det, layout)
    result.rows_read = scalar(cur, "SELECT count(*) FROM staged_budgets")
    before = rejects.count
    for rid, code, col, value in rows_by_record(cur, "SELECT rid, err, err_col, err_val FROM staged_budgets "
                                                     "WHERE err IS NOT NULL"):
        rejects.add_record(rid, layout.header[col], reason(code, value))
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
    """Remove a budget batch's change points; returns how many."""
    return {"budgets": scalar(cur, "DELETE FROM budgets WHERE batch_id = ?", [batch])}
