"""``python -m sales``: the same functions the pages call, for scripts and reports."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sales import cli_store
from sales.terminal import printing_text


def _cmd_score(args: argparse.Namespace) -> int:
    from sales.score_csv import score_csv_cli  # each command imports what it needs: --help stays quick

    return score_csv_cli(args.input, args.output)


def _cmd_demo(args: argparse.Namespace) -> int:
    from sales.access import command_line
    from sales.demo import write_demo
    from sales.demo_rows import never_used

    if args.remove:
        return cli_store.remove_demo(args, _open_store)
    store = _open_store(args.db)
    if store is None:
        return 2
    with store:
        if args.if_new and not never_used(store.cursor()):
            print(f"{store.path}: already holds data or has held it (grants, imports, a removed demo); "
                  "demo not written", file=sys.stderr)
            return 0
        if _read_only(store):
            return 2
        counts = write_demo(store, command_line(), leads=args.leads, time_entries=args.time_entries, seed=args.seed)
    print(json.dumps({"db": str(store.path), **counts}))
    return 0


def _open_store(db: Path | None, writes: bool = False):
    """The store, or None after one line on stderr saying why it cannot be used (locked, unusable, or
    read-only when the command ``writes``)."""
    from sales.store import Store, StoreError

    def waiting() -> None:
        print(f"waiting for the store: another program (a dashboard or an import) is using it; up to "
              f"{WAIT_FOR_STORE:.0f} s", file=sys.stderr)

    try:
        store = Store(db, wait=WAIT_FOR_STORE, on_wait=waiting, exclusive=True)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return None
    if writes and _read_only(store):
        store.close()
        return None
    return store


def _read_only(store) -> bool:
    """A read-only store, said in one line (the command was going to write)."""
    if store.read_only:
        print(f"error: the store {store.path} is read-only, so writes are off: nothing was changed. Make the "
              "file writable (chmod u+w) to change it.", file=sys.stderr)
    return store.read_only


# a running dashboard lets the file go within seconds of its last query; SALES_STORE_WAIT changes the wait
WAIT_FOR_STORE = float(os.environ.get("SALES_STORE_WAIT") or 120)


def _cmd_import(args: argparse.Namespace) -> int:
    from sales.access import command_line
    from sales.ingest import IngestError, import_file

    store = _open_store(args.db, writes=True)
    if store is None:
        return 2
    results, failed = [], False
    with store:
        for path in args.files:
            try:
                r = import_file(store, command_line(), path, kind=args.kind, fmt=args.format, mapping=args.map,
                                sheet=args.sheet)
            except Exception as e:  # one bad file never stops the others, and nobody gets a traceback
                failed = True
                message = str(e) if isinstance(e, IngestError) else f"{Path(path).name}: cannot be imported ({e})"
                print(f"error: {message}", file=sys.stderr)
                results.append({"file": Path(path).name, "status": "failed", "problem": message})
                continue
            failed = failed or r.problem is not None
            results.append(r.to_json())
            if not args.json:
                _print_import(r)
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=2, default=str))
    return 2 if failed else 0


def _print_import(r) -> None:
    hours = f", {r.hours:,.2f} h" if r.hours is not None else ""
    updated = f"{r.updated:,} updated, " if r.kind == "leads" else ""
    encoding = f" (read as {r.encoding})" if r.encoding != "UTF-8" else ""
    stale = f"{r.stale:,} stale, " if r.kind == "leads" else ""
    print(f"{r.file}{encoding}: {r.format} → batch {r.batch}: {r.records:,} records = {r.imported:,} imported, "
          f"{updated}{r.duplicates:,} duplicates, {stale}{r.rejected:,} rejected, {r.skipped:,} skipped "
          f"(footer or total lines){hours}")
    print(f"  columns used: {', '.join(sorted(set(r.columns.values()), key=list(r.columns.values()).index))}")
    if r.ignored:
        print(f"  columns ignored: {', '.join(r.ignored)}")
    for line, why in r.stale_lines[:20]:
        print(f"  line {line}: not applied: {why}")
    if r.problem:
        print(f"error: {r.file}: {r.problem}", file=sys.stderr)
    for w in r.warnings:
        print(f"  warning: {w}")
    for label, n in r.unmapped_stages.items():
        print(f"  unmapped stage {label!r} ({n} leads): add it to data/stage_map.toml")
    for x in r.rejects[:20]:
        print(f"  line {x.line}, column {x.column!r}: {x.reason}" if x.column else f"  line {x.line}: {x.reason}")
    if len(r.rejects) > 20:
        print(f"  … {len(r.rejects) - 20} more (python -m sales imports --rejects {r.batch})")


def _cmd_imports(args: argparse.Namespace) -> int:
    from sales.ingest import batch_rejects, list_batches

    store = _open_store(args.db)
    if store is None:
        return 2
    with store:
        frame = batch_rejects(store.cursor(), args.rejects) if args.rejects else list_batches(store.cursor())
    return _listing(frame, args.json, "no imports yet")


def _listing(frame, as_json: bool, empty: str) -> int:
    """A listing command's table: JSON records, or aligned text (``empty`` when there is nothing)."""
    if as_json:
        print(frame.to_json(orient="records", date_format="iso"))
    else:
        print(frame.to_string(index=False) if len(frame) else empty)
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    from sales.access import command_line
    from sales.ingest import IngestError, undo_batch

    store = _open_store(args.db, writes=True)
    if store is None:
        return 2
    with store:
        try:
            removed = undo_batch(store, command_line(), args.batch)
        except IngestError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    print(f"batch {args.batch} undone: " + ", ".join(f"{n} {t}" for t, n in removed.items() if n))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from datetime import date, timedelta

    from sales.filters import Filters, default_filters
    from sales.report import REPORTS, render

    today = _as_of(args)
    try:
        base = default_filters(today or date.today())
        if args.report == "movement":  # what moved over the last seven days unless told
            base = Filters(base.end - timedelta(days=6), base.end)
        elif args.report == "capacity":  # the weeks from the week of today, unless --from / --to say otherwise
            from sales.team.capacity import default_period

            base = Filters(*default_period(today or date.today()))
        start = date.fromisoformat(args.start) if args.start else base.start
        end = date.fromisoformat(args.end) if args.end else base.end
    except ValueError as e:
        print(f"error: --from/--to: {e}", file=sys.stderr)
        return 2
    window = _close_window(args)
    if window is None:
        return 2
    store = _open_store(args.db) if today else None
    if store is None:
        return 2
    with store:
        try:
            sections = REPORTS[args.report](store.cursor(), Filters(start, end, owners=tuple(args.owner or ())),
                                            today, **window)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    print(render(sections, args.format))
    return 0


def _close_window(args: argparse.Namespace) -> dict | None:
    """``report movement``'s close window as keyword arguments ({} without one); None after saying why not."""
    from datetime import date

    given = {"close_from": args.close_from, "close_to": args.close_to}
    if not any(given.values()):
        return {}
    if args.report != "movement":
        print("error: --close-from/--close-to are for report movement", file=sys.stderr)
        return None
    if not all(given.values()):
        print("error: a close window needs both --close-from and --close-to", file=sys.stderr)
        return None
    try:
        return {k: date.fromisoformat(v) for k, v in given.items()}
    except ValueError as e:
        print(f"error: --close-from/--close-to: {e}", file=sys.stderr)
        return None


def _as_of(args: argparse.Namespace):
    """The day a report is as of: --today, else today; None (after saying why) when unreadable."""
    from datetime import date

    try:
        return date.fromisoformat(args.today) if args.today else date.today()
    except ValueError as e:
        print(f"error: --today: {e}", file=sys.stderr)
        return None


def _cmd_digest(args: argparse.Namespace) -> int:
    from sales import digest
    from sales.access import command_line
    from sales.digest_send import report, send
    from sales.managers import monday
    from sales.team.capacity import team_warnings
    from sales.week import owner_names, this_week

    today = _as_of(args)
    store = _open_store(args.db) if today else None
    if store is None:
        return 2
    with store:
        cur = store.cursor()
        if not args.send:
            owners = owner_names(cur, args.owner) if args.owner else ()
            team = None if owners else monday(cur, today)  # everyone's leads: the managers' digest
            print(digest.render(this_week(cur, today, owners), args.format, team, tuple(team_warnings(cur, today))))
            return 0
        cur.close()
        try:
            results = send(store, command_line(), today, digest.smtp_settings(), args.owner, resend=args.resend)
        except digest.DigestError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    lines, status = report(results, today)
    print("\n".join(lines))
    return status


def _cmd_access(args: argparse.Namespace) -> int:
    from sales import access

    store = _open_store(args.db, writes=args.action != "list")
    if store is None:
        return 2
    with store:
        try:
            if args.action == "grant":
                before = access.grant(store, access.command_line(), args.who, args.role)
                print(f"{access.normalise(args.who)}: {args.role}" + (f" (was {before})" if before else ""))
                if args.owner is not None:
                    access.set_crm_owner(store, access.command_line(), args.who, args.owner)
                    print(f"{access.normalise(args.who)}: CRM owner name {args.owner!r}")
            elif args.action == "revoke":
                before = access.revoke(store, access.command_line(), args.who)
                print(f"{access.normalise(args.who)}: {before} revoked")
            else:
                frame = access.grants(store.cursor())
                frame["crm_owner"] = frame["crm_owner"].fillna("")
                print(frame.to_string(index=False) if len(frame) else
                      "no one has a role yet: python -m sales access grant EMAIL admin")
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    return 0


def _cmd_targets(args: argparse.Namespace) -> int:
    from sales import targets
    from sales.access import AccessDenied, command_line

    store = _open_store(args.db)
    if store is None:
        return 2
    with store:
        try:
            if args.action == "list":
                frame = targets.targets(store.cursor(), args.quarter)
                frame["owner"] = frame["owner"].fillna("(team)")
                return _listing(frame.drop(columns="team") if not args.json else frame, args.json,
                                "no targets set: python -m sales targets set OWNER QUARTER AMOUNT")
            wanted = 2 if args.team else 3  # [OWNER] QUARTER [AMOUNT]
            wanted -= args.action == "clear"
            if len(args.values) != wanted:
                names = (["QUARTER"] if args.team else ["OWNER", "QUARTER"]) + (["AMOUNT"] if args.action == "set"
                                                                                 else [])
                raise ValueError(f"targets {args.action} {'--team ' if args.team else ''}needs {' '.join(names)}")
            owner = None if args.team else args.values[0]
            quarter = args.values[0 if args.team else 1]
            if args.action == "set":
                before = targets.set_target(store, command_line(), quarter, args.values[-1], owner, args.new_owner)
                print(targets.said(quarter, owner, targets.amount_of(args.values[-1]), before))
            else:
                print(targets.said(quarter, owner, None, targets.clear_target(store, command_line(), quarter, owner)))
        except (ValueError, AccessDenied) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from sales import serving

    auth = serving.auth_section(serving.secrets_files(args.streamlit_args))
    configured = auth is not None
    open_anyway = serving.open_without_sign_in()
    try:
        hosts = serving.allowed_hosts(str(auth.get("redirect_uri") or "") if configured else None)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if configured and not hosts:
        print(f"error: [auth] redirect_uri names no host, so no one could reach the dashboard; set it (or list the "
              f"names in {serving.HOSTS_ENV})", file=sys.stderr)
        return 2
    cmd = serving.streamlit_command(sys.executable, args.port, configured, open_anyway, args.streamlit_args, hosts)
    if configured:
        print("Sign-in configured ([auth] in .streamlit/secrets.toml): roles come from `python -m sales access`.")
    elif open_anyway:
        print(f"Local mode WITHOUT sign-in, open to the network ({serving.OPT_OUT} is set).")
    else:
        print(f"Local mode: no sign-in, so only this computer can reach http://localhost:{args.port}")
    print(f"Answers to: {', '.join(hosts)} (others: {serving.HOSTS_ENV})")
    sys.stdout.flush()
    os.execv(sys.executable, cmd)


def _cmd_mappings(args: argparse.Namespace) -> int:
    from sales.ingest import mappings

    store = _open_store(args.db)
    if store is None:
        return 2
    with store:
        frame = mappings.listing(store.cursor())
    return _listing(frame if args.json else frame.drop(columns=["fingerprint"]), args.json,
                    "no saved mappings yet: import a file with --map FILE, or name its columns on the Upload page")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sales", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("score", help="score a CSV of leads with the rubric")
    p.add_argument("input", help="CSV with factor columns (key or display name; 0, 1, 2 or blank)")
    p.add_argument("-o", "--output", help="output CSV (default: standard output)")
    p.set_defaults(func=_cmd_score)

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
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("imports", help="list import batches")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--rejects", type=int, metavar="BATCH", help="list one batch's rejected rows instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_imports)

    p = sub.add_parser("mappings", help="column mappings saved for layouts no preset knows")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_mappings)

    p = sub.add_parser("undo", help="remove everything one import added and restore the leads it updated")
    p.add_argument("batch", type=int)
    p.add_argument("--db", type=Path, help=db_help)
    p.set_defaults(func=_cmd_undo)

    p = sub.add_parser("report", help="the dashboards' numbers: priorities, funnel, budget, forecast, followups, "
                       "movement, owners, utilisation, margin, capacity")
    p.add_argument("report", choices=("priorities", "funnel", "budget", "forecast", "followups", "movement", "owners",
                                      "utilisation", "margin", "capacity"))
    p.add_argument("--owner", action="append", metavar="NAME", help="only this lead owner's leads (repeatable)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day to report as of (default: today)")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="period start (default: 1 January)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="period end (default: today)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--close-from", metavar="YYYY-MM-DD", help="movement: only leads expected to close from this day")
    p.add_argument("--close-to", metavar="YYYY-MM-DD", help="movement: … to this day (both or neither)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("access", help="who may sign in, and with which role (viewer, bizdev, admin)",
                       description="Roles: viewer (dashboards, reports, downloads), bizdev (also what-if saving "
                       "and the lead workbench), admin (also uploads, undo, budgets, people and roles, audit). "
                       "A grant names an email or a whole domain (*@agency.example); emails ignore case.")
    acc = p.add_subparsers(dest="action", required=True)
    g = acc.add_parser("grant", help="give an email or *@domain a role")
    g.add_argument("who", metavar="EMAIL")
    g.add_argument("role", choices=("viewer", "bizdev", "admin"))
    g.add_argument("--owner", metavar="NAME", help="the lead owner name this person has in the CRM (their leads on "
                   "This week and in the digest; default: their email)")
    r = acc.add_parser("revoke", help="remove the grant of an email or *@domain")
    r.add_argument("who", metavar="EMAIL")
    listing = acc.add_parser("list", help="every grant")
    for q in (g, r, listing):
        q.add_argument("--db", type=Path, help=db_help)
    p.set_defaults(func=_cmd_access)

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
    p.set_defaults(func=_cmd_targets)

    p = sub.add_parser("digest", help="the weekly digest: follow-ups, stuck leads, re-scoring, forecast, changes")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--owner", metavar="EMAIL", help="one person's leads (default: everyone's)")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day to report as of (default: today)")
    p.add_argument("--send", action="store_true", help="mail it with the [smtp] settings of .streamlit/secrets.toml: "
                   "each person with a role gets their own leads, each manager everyone's; those who already got "
                   "this day's digest are skipped")
    p.add_argument("--resend", action="store_true", help="with --send: mail everyone again, even those who got it")
    p.set_defaults(func=_cmd_digest)

    p = sub.add_parser("backup", help="write a consistent copy of the store (also while the dashboard runs)")
    p.add_argument("path", type=Path, help="the backup file, or a folder for a dated file in it")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--force", action="store_true", help="replace an existing backup file of that name")
    p.set_defaults(func=lambda a: cli_store.backup(a, _open_store))

    p = sub.add_parser("restore", help="put a backup back as the store (the replaced store is kept beside it)")
    p.add_argument("path", type=Path, help="a file written by `backup`")
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--force", action="store_true", help="replace a store that holds data without asking")
    p.set_defaults(func=lambda a: cli_store.restore(a, _open_store))

    p = sub.add_parser("serve", help="serve the dashboard (loopback only unless sign-in is configured)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="further options for streamlit run")
    p.set_defaults(func=_cmd_serve)

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
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with printing_text():
        parser = build_parser()
        args, unknown = parser.parse_known_args(argv)
        if args.command == "serve":  # every option it does not know is streamlit run's (--server.headless true)
            args.streamlit_args = [a for a in [*unknown, *args.streamlit_args] if a != "--"]
        elif unknown:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        try:
            return args.func(args)
        except Exception as e:  # a store that fails after opening: one line, never a traceback
            from sales.store import StoreError

            if not isinstance(e, StoreError):
                raise
            print(f"error: {e}", file=sys.stderr)
            return 2
