"""SQL that turns a time-tracking export's raw columns into typed time entries with error codes.

Rows are checked in SQL and carry an error code and the index of the offending column; the
messages themselves are written in Python (``ERRORS``) so no header text ever enters SQL.
"""

from __future__ import annotations

from sales.ingest.formats import Detection
from sales.ingest.quantities import MAX_ENTRY_HOURS, hours_sql, sniff_decimal
from sales.ingest.reader import TOTAL_ROW, CsvLayout
from sales.ingest.values import bool_sql, date_sql, sniff_date, sniff_seconds, text_sql, time_of_day_sql
from sales.store import TIME_ENTRY_KEY

ENTRY_FIELDS = [c for c in TIME_ENTRY_KEY if c != "tool"]  # one file comes from one tool
TOLERANCE_HOURS = 1 / 60 + 1e-9  # a minute of rounding between duration and start/end

ERRORS = {
    1: "no date",
    2: "cannot read {value!r} as a date",
    3: "cannot read {value!r} as a duration",
    4: "no duration, and no start and end time to compute one",
    5: f"{{value!r}} is out of range (0 to {MAX_ENTRY_HOURS} hours)",
    6: "duration {value!r} disagrees with the start and end times ({detail:.2f} h between them)",
    7: "cannot read {value!r} as a time of day",
    8: "cannot read {value!r} as a Jira work log (expected comment;date;user;seconds)",
}


def _c(i: int) -> str:
    return f"c{i}"


def _dash_blank(expr: str, applies: bool) -> str:
    """A tool that writes '-' for no project or client (Toggl Track): that is no value."""
    return f"nullif({expr}, '-')" if applies else expr


def time_stage_sql(det: Detection, layout: CsvLayout, src: str, carry: tuple[str, ...] = (),
                   rid: str = "rid") -> tuple[str, list[str]]:
    """SELECT over ``src`` (rows with c0..cN and rid) giving typed entries, err, err_col and is_total
    (a row that is no entry but a report's total line: skipped, not rejected).

    ``carry`` names extra columns of ``src`` passed through untouched; ``rid`` is the record index
    (NULL when ``src`` is the file itself: the stage table's row order then gives it).

    Returns the SQL and human warnings about decisions (ambiguous day/month order).
    """
    cols, fmt = det.columns, det.format
    warnings: list[str] = []

    def raw(name: str) -> str | None:
        return _c(cols[name]) if name in cols else None

    def text(*names: str) -> str:
        exprs = [_dash_blank(text_sql(raw(n)), fmt.options.get("dash") == "blank" and n in ("client", "project"))
                 for n in names if n in cols]
        return f"coalesce({', '.join(exprs)})" if exprs else "NULL"

    def layout_of(name: str):
        lay = sniff_date(layout.column(cols[name]), prefer=fmt.date_order)
        if lay.ambiguous:
            warnings.append(f"column '{layout.header[cols[name]]}': day/month order cannot be told from the "
                            f"values; read as {lay.order} ({fmt.label} default)")
        return lay

    d_raw = raw("work_date")
    d_lay = layout_of("work_date")
    work_date = date_sql(d_raw, d_lay)
    dec = sniff_decimal(layout.column(cols["hours"])) if "hours" in cols else "."
    h_raw = raw("hours")
    unit = fmt.hours_unit
    entries = [r for r in layout.sample if cols["work_date"] < len(r) and r[cols["work_date"]].strip()]

    def sampled(name: str) -> list[str] | None:  # the column over rows with a date (a total line has none)
        return [r[cols[name]] if cols[name] < len(r) else "" for r in entries] if name in cols else None

    if h_raw and unit == "hours" and sniff_seconds(sampled("hours"), sampled("start_time"), sampled("end_time")):
        unit = "seconds"
        warnings.append(f"column '{layout.header[cols['hours']]}': whole seconds, read as such"
                        + (" (they match the start and end times)" if "start_time" in cols else ""))
    hours_read = hours_sql(h_raw, dec, unit) if h_raw else "NULL::DOUBLE"
    start = time_of_day_sql(raw("start_time")) if "start_time" in cols else "NULL::DOUBLE"
    end = time_of_day_sql(raw("end_time")) if "end_time" in cols else "NULL::DOUBLE"
    end_date = date_sql(raw("end_date"), layout_of("end_date")) if "end_date" in cols else "NULL::DATE"
    # hours between start and end: across midnight when the end is earlier and no end date says otherwise
    span = (f"CASE WHEN {start} IS NOT NULL AND {end} IS NOT NULL THEN "
            f"coalesce(date_diff('day', {work_date}, {end_date}), CASE WHEN {end} < {start} THEN 1 ELSE 0 END) * 24 "
            f"+ {end} - {start} END")
    if "billable" in cols:
        billable = bool_sql(raw("billable"))
    elif "billed_hours" in cols:
        billed_dec = sniff_decimal(layout.column(cols["billed_hours"]))
        billable = f"({hours_sql(raw('billed_hours'), billed_dec)} > 0)"
    else:
        billable = "NULL::BOOLEAN"
    if "person" in cols:
        person = text("person", "username", "email")
    elif "first_name" in cols:
        person = (f"nullif(trim(concat_ws(' ', {text_sql(raw('first_name'))}, "
                  f"{text_sql(raw('last_name')) if 'last_name' in cols else 'NULL'})), '')")
    else:
        person = text("username", "email")
    # a total row is one that is no entry (no date, no duration) and says "Total" in a first cell:
    # a real entry is never skipped (a client may well be called "Total"), and the pattern is only
    # tried on the few rows that fail, not on every cell (it was a sixth of a bulk import's time)
    first_cells = [_c(i) for i in range(min(8, len(layout.header)))]
    total_re = TOTAL_ROW.pattern.replace("'", "''")
    says_total = " OR ".join(f"(length(first_{i}) < 16 AND regexp_full_match(first_{i}, '{total_re}', 'i'))"
                             for i in range(len(first_cells)))
    # or a summary line with no date and no text at all (Kimai ends with empty cells and "[00]:00")
    says_nothing = (f"{text_sql('date_raw')} IS NULL AND person IS NULL AND client IS NULL AND project IS NULL "
                    "AND description IS NULL AND issue_key IS NULL")
    is_total = (f"CASE WHEN err IS NOT NULL THEN coalesce({says_total}, false) OR coalesce({says_nothing}, false) "
                "ELSE false END")
    firsts = ", ".join(f"{c} AS first_{i}" for i, c in enumerate(first_cells))
    hcol = cols.get("hours", cols.get("start_time", cols["work_date"]))
    err = f"""CASE
        WHEN {text_sql('date_raw')} IS NULL THEN 1
        WHEN work_date IS NULL THEN 2
        WHEN {text_sql('hours_raw')} IS NOT NULL AND hours_read IS NULL THEN 3
        WHEN {text_sql('start_raw')} IS NOT NULL AND start_h IS NULL THEN 7
        WHEN {text_sql('end_raw')} IS NOT NULL AND end_h IS NULL THEN 7
        WHEN coalesce(hours_read, span) IS NULL THEN 4
        WHEN NOT isfinite(coalesce(hours_read, span)) OR coalesce(hours_read, span) < 0
             OR coalesce(hours_read, span) > {MAX_ENTRY_HOURS} THEN 5
        WHEN hours_read IS NOT NULL AND span IS NOT NULL AND abs(hours_read - span) > {TOLERANCE_HOURS} THEN 6
    END"""
    err_col = f"""CASE err
        WHEN 1 THEN {cols['work_date']} WHEN 2 THEN {cols['work_date']}
        WHEN 7 THEN CASE WHEN {text_sql('start_raw')} IS NOT NULL AND start_h IS NULL
                         THEN {cols.get('start_time', hcol)} ELSE {cols.get('end_time', hcol)} END
        ELSE {hcol} END"""
    inner = f"""SELECT {rid} AS rid,
        {work_date} AS work_date, {hours_read} AS hours_read, {start} AS start_h, {end} AS end_h,
        {span} AS span, {billable} AS billable, {person} AS person,
        {text('client')} AS client, {text('project')} AS project,
        {text('account', 'client', 'project')} AS account, {text('issue_key')} AS issue_key,
        {text('description', 'task', 'activity', 'service', 'summary')} AS description,
        {firsts}, c{cols['work_date']} AS date_raw, {h_raw or 'NULL'} AS hours_raw,
        {raw('start_time') or 'NULL'} AS start_raw, {raw('end_time') or 'NULL'} AS end_raw
        {''.join(', ' + c for c in carry)}
        FROM {src}"""
    passthrough = "".join(", " + c for c in carry)
    # only what the insert needs is kept; raw text and intermediate values only on rejected rows.
    # ``same`` narrows the search for identical entries within this import (never stored)
    sql = f"""SELECT rid, work_date, hours, started_at, billable, person, client, project, account, issue_key,
                     description, {is_total} AS is_total, err, {err_col} AS err_col,
                     CASE WHEN err IS NOT NULL THEN date_raw END AS date_raw,
                     CASE WHEN err IS NOT NULL THEN hours_raw END AS hours_raw,
                     CASE WHEN err IS NOT NULL THEN start_raw END AS start_raw,
                     CASE WHEN err IS NOT NULL THEN end_raw END AS end_raw,
                     CASE WHEN err IS NOT NULL THEN span END AS span{passthrough},
                     hash({', '.join(ENTRY_FIELDS)}) AS same
        FROM (
        SELECT *, {err} AS err, coalesce(hours_read, span) AS hours,
               CASE WHEN start_h IS NOT NULL THEN work_date + to_microseconds((start_h * 3600e6)::BIGINT)
               END AS started_at
        FROM ({inner}))"""
    return sql, warnings


def jira_worklog_sql(det: Detection, layout: CsvLayout, src: str) -> tuple[str, list[str]]:
    """Unpivot Jira's repeated ``Log Work`` cells (comment;date;user;seconds) into rows c0..c5.

    The comment may itself hold ';', so the last three parts are read from the right.
    """
    repeated = det.format.repeated_columns(layout.header)
    cells = ", ".join(_c(i) for i in repeated)
    parts = "string_split(lw, ';')"
    sql = f"""SELECT rid, {_c(det.columns['issue_key'])} AS c0,
                {(_c(det.columns['project']) if 'project' in det.columns else 'NULL')} AS c1,
                CASE WHEN len({parts}) >= 4 THEN {parts}[len({parts}) - 2] END AS c2,
                CASE WHEN len({parts}) >= 4 THEN {parts}[len({parts}) - 1] END AS c3,
                CASE WHEN len({parts}) >= 4 THEN {parts}[len({parts})] END AS c4,
                CASE WHEN len({parts}) >= 4 THEN array_to_string({parts}[1:len({parts}) - 3], ';') END AS c5,
                lw, lw_col
              FROM (SELECT rid, * EXCLUDE (rid),
                           unnest([{cells}]) AS lw, unnest([{', '.join(str(i) for i in repeated)}]) AS lw_col
                    FROM {src})
              WHERE nullif(trim(lw), '') IS NOT NULL"""
    dates = []
    for i in repeated:
        for v in layout.column(i):
            bits = v.split(";")
            if len(bits) >= 4:
                dates.append(bits[-3])
    return sql, dates
