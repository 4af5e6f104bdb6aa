"""The command line's arguments: every ``python -m sales`` command, its options and the function it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from sales.cli import importing, people, reporting, serve, store_commands

DESCRIPTION = "``python -m sales``: the same functions the pages call, for scripts and reports."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sales", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("score", help="score a CSV of leads with the rubric")
    p.add_argument("input", help="CSV with factor columns (key or display name; 0, 1, 2 or blank)")
    p.add_argument("-o", "--output", help="output CSV (default: standard output)")
    p.set_defaults(func=reporting.cmd_score)

    db_help = "store file (default: $SALES_DB or data/sales.duckdb)"
    p = sub.add_parser("import", help="import CRM, time-tracking or budget exports")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--kind", choices=("leads", "time", "budgets", "people", "time_off"))
    p.add_argument("--format", help="preset name, e.g. tempo, toggl, hubspot-deals (default: detect by header)")
    p.add_argument("--map", type=Path, help="TOML column mapping for an unknown layout (saved for its header: the "
                   "next file with the same columns needs none)")
    p.add_argument("--sheet", metavar="NAME", help="the sheet to read from .xlsx/.xls files (default: the first)")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--explain", action="store_true", help="say which layout each file would be read as, the "
                   "columns used and ignored, and the runner-up layout with what it lacked; imports nothing")
    p.set_defaults(func=importing.cmd_import)

    p = sub.add_parser("imports", help="list import batches")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--rejects", type=int, metavar="BATCH", help="list one batch's rejected rows instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=importing.cmd_imports)

    p = sub.add_parser("mappings", help="column mappings saved for layouts no preset knows")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=importing.cmd_mappings)

    p = sub.add_parser("undo", help="remove everything one import added and restore the leads it updated")
    p.add_argument("batch", type=int)
    p.add_argument("--db", type=Path, help=db_help)
    p.set_defaults(func=importing.cmd_undo)

    p = sub.add_parser("report", help="the dashboards' numbers: priorities, funnel, budget, forecast, followups, "
                       "movement, owners, utilisation, margin, capacity")
    p.add_argument("report", choices=("priorities", "funnel", "budget", "forecast", "followups", "movement", "owners",
                                      "utilisation", "margin", "capacity"))
    p.add_argument("--owner", action="append", metavar="NAME", help="only this lead owner's leads (repeatable)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day to report as of (default: today)")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="period start (default: 1 January)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="period end (default: today)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table: for people, in words; csv, json: for scripts, the columns' keys and raw values")
    p.add_argument("--close-from", metavar="YYYY-MM-DD", help="movement: only leads expected to close from this day")
    p.add_argument("--close-to", metavar="YYYY-MM-DD", help="movement: … to this day (both or neither)")
    p.set_defaults(func=reporting.cmd_report)

    p = sub.add_parser("access", help="who may sign in, and with which role (viewer, bizdev, admin)",
                       description="Roles: viewer (dashboards, reports, downloads), bizdev (also what-if saving "
                       "and the lead workbench), admin (also uploads, undo, budgets, people and roles, audit). "
                       "A grant names an email or a whole domain (*@agency.example); emails ignore case.")
    acc = p.add_subparsers(dest="action", required=True)
    g = acc.add_parser("grant", help="give an email or *@domain a role")
    g.add_argument("who", metavar="EMAIL")
    g.add_argument("role", choices=("viewer", "bizdev", "admin"))
    g.add_argument("--owner", metavar="NAME", help="the lead owner name this person has in the CRM (their leads on "
                   "This week and in the digest; default: their email), one the leads carry")
    g.add_argument("--new-owner", action="store_true", help="--owner names someone no lead has yet (else an "
                   "unknown name is refused as a typo)")
    r = acc.add_parser("revoke", help="remove the grant of an email or *@domain")
    r.add_argument("who", metavar="EMAIL")
    listing = acc.add_parser("list", help="every grant")
    for q in (g, r, listing):
        q.add_argument("--db", type=Path, help=db_help)
    p.set_defaults(func=people.cmd_access)

    p = sub.add_parser("targets", help="quarter targets per lead owner and for the team (reporting currency)",
                       description="A target per CRM owner name (as on the leads) or for the team (--team), for a "
                       "quarter such as 2026-Q4, in the reporting currency of data/currencies.toml. The team's "
                       "target is its own, else the sum of the owners', else [forecast] quarter_target in "
                       "data/lifecycle.toml.")
    tg = p.add_subparsers(dest="action", required=True)
    s = tg.add_parser("set", help="set a target: OWNER QUARTER AMOUNT, or --team QUARTER AMOUNT")
    s.add_argument("values", nargs="+", metavar="[OWNER] QUARTER AMOUNT")
    s.add_argument("--new-owner", action="store_true", help="an owner no lead has yet (else refused as a typo)")
    c = tg.add_parser("clear", help="remove a target: OWNER QUARTER, or --team QUARTER")
    c.add_argument("values", nargs="+", metavar="[OWNER] QUARTER")
    listing = tg.add_parser("list", help="every target set")
    listing.add_argument("--quarter", help="only this quarter, e.g. 2026-Q4")
    listing.add_argument("--json", action="store_true")
    for q in (s, c, listing):
        q.add_argument("--db", type=Path, help=db_help)
    for q in (s, c):
        q.add_argument("--team", action="store_true", help="the team's own target")
    listing.set_defaults(team=False)
    p.set_defaults(func=people.cmd_targets)

    p = sub.add_parser("digest", help="the weekly digest: follow-ups, stuck leads, re-scoring, forecast, changes")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--owner", metavar="EMAIL", help="one person's leads (default: everyone's)")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day to report as of (default: today)")
    p.add_argument("--send", action="store_true", help="mail it with the [smtp] settings of .streamlit/secrets.toml: "
                   "each person with a role gets their own leads, each manager everyone's; those who already got "
                   "this day's digest are skipped")
    p.add_argument("--resend", action="store_true", help="with --send: mail everyone again, even those who got it")
    p.set_defaults(func=reporting.cmd_digest)

    p = sub.add_parser("backup", help="write a consistent copy of the store (also while the dashboard runs)")
    p.add_argument("path", type=Path, help="the backup file, or a folder for a dated file in it")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--force", action="store_true", help="replace an existing backup file of that name")
    p.set_defaults(func=store_commands.backup)

    p = sub.add_parser("restore", help="put a backup back as the store (the replaced store is kept beside it)")
    p.add_argument("path", type=Path, help="a file written by `backup`")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--force", action="store_true", help="replace a store that holds data without asking")
    p.set_defaults(func=store_commands.restore)

    p = sub.add_parser("serve", help="serve the dashboard (loopback only unless sign-in is configured)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="further options for streamlit run")
    p.set_defaults(func=serve.cmd_serve)

    p = sub.add_parser("demo", help="write a deterministic demo store, or remove the demo data")
    p.add_argument("--db", type=Path, help="store file (default: $SALES_DB or data/sales.duckdb)")
    p.add_argument("--leads", type=int, default=300)
    p.add_argument("--time-entries", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--if-new", "--if-empty", dest="if_new", action="store_true",
                   help="only into a store nothing was ever written to (no data, grants, imports or removed demo)")
    p.add_argument("--remove", action="store_true", help="remove every demo row (and work people entered on demo "
                   "leads); grants, the audit trail and imported data stay")
    p.add_argument("--yes", action="store_true", help="with --remove: no question when people worked on demo leads")
    p.set_defaults(func=store_commands.demo)
    return parser
