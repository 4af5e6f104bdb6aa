"""``python -m sales`` commands that print the dashboards' numbers: score a CSV, the reports, the weekly
digest (printed or mailed)."""

from __future__ import annotations

import argparse
import sys

from sales.cli.opening import as_of, opened, refusing


def cmd_score(args: argparse.Namespace) -> int:
    from sales.score_csv import score_csv_cli  # each command imports what it needs: --help stays quick

    return score_csv_cli(args.input, args.output)


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date, timedelta

    from sales.filters import Filters, default_filters
    from sales.report import REPORTS, render

    today = as_of(args)
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
    window = close_window(args)
    if window is None:
        return 2
    if today is None:
        return 2
    with opened(args.db) as store, refusing(ValueError):
        sections = REPORTS[args.report](store.cursor(), Filters(start, end, owners=tuple(args.owner or ())), today,
                                        **window)
    print(render(sections, args.format))
    return 0


def close_window(args: argparse.Namespace) -> dict | None:
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


def cmd_digest(args: argparse.Namespace) -> int:
    from sales import digest
    from sales.access import command_line
    from sales.digest_send import report, send
    from sales.managers import monday
    from sales.team.capacity import team_warnings
    from sales.week import owner_names, this_week

    today = as_of(args)
    if today is None:
        return 2
    with opened(args.db) as store:
        cur = store.cursor()
        if not args.send:
            owners = owner_names(cur, args.owner) if args.owner else ()
            team = None if owners else monday(cur, today)  # everyone's leads: the managers' digest
            print(digest.render(this_week(cur, today, owners), args.format, team, tuple(team_warnings(cur, today))))
            return 0
        cur.close()
        with refusing(digest.DigestError):
            results = send(store, command_line(), today, digest.smtp_settings(), args.owner, resend=args.resend)
    lines, status = report(results, today)
    print("\n".join(lines))
    return status
