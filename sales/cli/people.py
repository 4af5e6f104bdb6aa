"""``python -m sales`` commands about people: who may sign in with which role, and the quarter targets."""

from __future__ import annotations

import argparse

from sales.cli.opening import listing, opened, refusing


def cmd_access(args: argparse.Namespace) -> int:
    from sales import access

    with opened(args.db, writes=args.action != "list") as store, refusing(ValueError):
        if args.action == "grant":
            before = access.grant(store, access.command_line(), args.who, args.role, args.owner, args.new_owner)
            print(f"{access.normalise(args.who)}: {args.role}" + (f" (was {before})" if before else ""))
            if args.owner is not None:
                print(f"{access.normalise(args.who)}: CRM owner name {' '.join(args.owner.split())!r}")
        elif args.action == "revoke":
            before = access.revoke(store, access.command_line(), args.who)
            print(f"{access.normalise(args.who)}: {before} revoked")
        else:
            return listing(access.grants(store.cursor()), False,
                           "no one has a role yet: python -m sales access grant EMAIL admin")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from sales import targets
    from sales.access import AccessDenied, command_line

    with opened(args.db) as store, refusing(ValueError, AccessDenied):
        if args.action == "list":
            frame = targets.targets(store.cursor(), args.quarter)
            frame["owner"] = frame["owner"].fillna("(team)")
            return listing(frame.drop(columns="team") if not args.json else frame, args.json,
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
    return 0
