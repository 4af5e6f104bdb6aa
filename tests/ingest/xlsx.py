"""Spreadsheets for tests, written as Excel and Odoo write them (xlsxwriter, shared strings): typed cells,
true dates, numbers as numbers."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import xlsxwriter

NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")  # no leading zeros: "007" stays text, as a CRM writes it
GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")  # 85,000.00
MOMENTS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
CLOCKS = ("%H:%M:%S", "%H:%M")


def typed(value: str, date_format: str | None = None, decimal_comma: bool = False):
    """A CSV value as a spreadsheet cell holds it: a number, a date or date-time, a time, else the text."""
    v = value.strip()
    if decimal_comma and re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", v):
        return float(v.replace(".", "").replace(",", "."))
    if not decimal_comma and (NUMBER.fullmatch(v) or GROUPED.fullmatch(v)):
        return float(v.replace(",", ""))
    for fmt in ((date_format,) if date_format else ()) + MOMENTS:
        try:
            return datetime.strptime(v, fmt)
        except ValueError:
            pass
    for fmt in CLOCKS:
        try:
            return datetime.strptime(v, fmt).time()
        except ValueError:
            pass
    return value


def write_rows(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with these sheets (in order) of these rows; ``None`` is an empty cell."""
    book = xlsxwriter.Workbook(str(path), {"default_date_format": "yyyy-mm-dd hh:mm:ss", "strings_to_numbers": False})
    clock = book.add_format({"num_format": "hh:mm:ss"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value)
                elif hasattr(value, "hour"):  # a time of day
                    sheet.write_datetime(r, c, value, clock)
                elif isinstance(value, float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return path


def from_csv(src: Path, dest: Path, date_format: str | None = None, decimal_comma: bool = False,
             sheet: str = "Export") -> Path:
    """The CSV's rows as one sheet of typed cells (the header stays text)."""
    with open(src, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    body = [[typed(v, date_format, decimal_comma) for v in row] for row in rows[1:]]
    return write_rows(dest, {sheet: [rows[0], *body]})
