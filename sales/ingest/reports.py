"""Exports we recognise but cannot import: summary and weekly reports (totals, not time entries) and Jira issue
exports without their work logs. Each is named with the export to download instead."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sales.ingest.formatdef import norm

# a header cell that is a day: a weekly report has one column per day
DAY = re.compile(r"^\s*((mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|sday|nesday|urday)?\b\.?.*"
                 r"|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}([./-]\d{2,4})?)\s*$", re.IGNORECASE)
DATES = ("Date", "Start date", "Start Date", "Work date", "Day")  # a column that dates each entry


@dataclass(frozen=True)
class Report:
    what: str  # "a Clockify summary report"
    instead: str  # the export to download instead
    all_of: tuple[str, ...] = ()  # every one of these headers
    any_of: tuple[str, ...] = ()  # and at least one of these
    none_of: tuple[str, ...] = ()  # and none of these
    weekly: bool = False  # and columns that are days

    def fits(self, header: Sequence[str]) -> bool:
        have = {norm(h) for h in header}
        return (all(norm(h) in have for h in self.all_of)
                and (not self.any_of or any(norm(h) in have for h in self.any_of))
                and not any(norm(h) in have for h in self.none_of)
                and (not self.weekly or sum(bool(DAY.match(h)) for h in header) >= 2))

    def message(self) -> str:
        return f"this is {self.what}, which holds totals, not time entries; {self.instead}"


CLOCKIFY = "download the Detailed report instead (Reports → Detailed → Export → Save as CSV)"
TOGGL = "download the Detailed report instead (Reports → Detailed → Export → Download CSV)"
HARVEST = "download the Detailed time report instead (Reports → Time → Detailed report → Export → CSV)"

REPORTS: tuple[Report, ...] = (
    Report("a Clockify weekly report", CLOCKIFY, any_of=("Total (h)", "Total (decimal)"), weekly=True),
    Report("a Clockify summary report", CLOCKIFY, any_of=("Time (h)", "Time (decimal)"),
           none_of=("Start Date", "Duration (h)", "Duration (decimal)")),
    Report("a Toggl Track weekly report", TOGGL, any_of=("Member", "User"), none_of=("Start date",), weekly=True),
    Report("a Toggl Track summary report", TOGGL, all_of=("Duration",), any_of=("Member", "User", "Project", "Client"),
           none_of=(*DATES, "Start time", "Team Member", "Task", "Activity", "Customer")),
    Report("a Harvest weekly report", HARVEST, any_of=("Client", "Project", "Task", "Person"),
           none_of=("Date",), weekly=True),
    Report("a Harvest time report summary", HARVEST, all_of=("Hours", "Billable Hours"), none_of=DATES),
    Report("a Jira issue export without Log Work columns",
           "export the issues with every field instead (Export → Export Excel CSV (all fields)): it carries a "
           "Log Work column per work log; or download a Tempo worklog report",
           all_of=("Issue key",), any_of=("Issue id", "Issue Type", "Summary", "Status"),
           none_of=("Log Work", "Hours", "Work date")),
)


def recognised(header: Sequence[str]) -> Report | None:
    """The report ``header`` is the header of, when it is one we recognise but cannot import."""
    return next((r for r in REPORTS if r.fits(header)), None)
