"""``python -m sales``: the same functions the pages call, for scripts and reports."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sales.score_csv import score_csv_cli


def _cmd_score(args: argparse.Namespace) -> int:
    return score_csv_cli(args.input, args.output)


def _cmd_demo(args: argparse.Namespace) -> int:
    from sales.demo import write_demo
    from sales.store import Store, StoreLockedError, is_empty

    try:
        store = Store(args.db)
    except StoreLockedError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with store:
        if args.if_empty and not is_empty(store.cursor()):
            print(f"{store.path}: already holds data; demo not written", file=sys.stderr)
            return 0
        counts = write_demo(store, leads=args.leads, worklogs=args.worklogs, seed=args.seed)
    print(json.dumps({"db": str(store.path), **counts}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sales", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("score", help="score a CSV of leads with the rubric")
    p.add_argument("input", help="CSV with factor columns (key or display name; 0, 1, 2 or blank)")
    p.add_argument("-o", "--output", help="output CSV (default: standard output)")
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("demo", help="write a deterministic demo store")
    p.add_argument("--db", type=Path, help="store file (default: $SALES_DB or data/sales.duckdb)")
    p.add_argument("--leads", type=int, default=300)
    p.add_argument("--worklogs", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--if-empty", action="store_true", help="only when the store has no data yet")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
