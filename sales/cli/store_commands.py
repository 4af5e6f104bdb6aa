"""``python -m sales`` commands that look after the store as a whole: backup, restore, writing the demo and
removing it.

Each opens the store the command line's way (``opened``: waits while a dashboard or an import holds
the file, stops the command after saying why it could not).
"""

from __future__ import annotations

import argparse
import json
import sys

from sales.cli.opening import opened, read_only, refusing


def _confirmed(question: str) -> bool:
    """A yes typed at a terminal; never a yes when nobody is there to type it."""
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def demo(args: argparse.Namespace) -> int:
    """Write the demo store (``--if-new``: only into a store nothing was ever written to), or remove it."""
    from sales.access import command_line
    from sales.demo import write_demo
    from sales.demo_rows import never_used

    if args.remove:
        return remove_demo(args)
    with opened(args.db) as store:
        if args.if_new and not never_used(store.cursor()):
            print(f"{store.path}: already holds data or has held it (grants, imports, a removed demo); "
                  "demo not written", file=sys.stderr)
            return 0
        if read_only(store):
            return 2
        counts = write_demo(store, command_line(), leads=args.leads, time_entries=args.time_entries, seed=args.seed)
    print(json.dumps({"db": str(store.path), **counts}))
    return 0


def remove_demo(args: argparse.Namespace) -> int:
    """Every demo row goes; people's work on demo leads goes with them, so that needs a yes."""
    from sales.access import command_line
    from sales.demo_rows import demo_rows, remove_demo

    with opened(args.db) as store:
        found = demo_rows(store.cursor())
        if not found.total:
            print(f"{store.path}: no demo data; nothing removed")
            return 0
        print(found.sentence())
        if found.work and not args.yes and not _confirmed("Remove the demo data and the work on it?"):
            print("nothing removed: people have worked on demo leads; answer yes, or pass --yes", file=sys.stderr)
            return 2
        removed = remove_demo(store, command_line())
    print(f"{store.path}: demo data removed, {removed.total:,} rows (per table: "
          + ", ".join(f"{t} {n:,}" for t, n in removed.rows.items()) + ")")
    return 0


def backup(args: argparse.Namespace) -> int:
    from sales.backup import BackupError, backup

    with opened(args.db) as store, refusing(BackupError):
        written = backup(store, args.path, replace=args.force)
    print(f"backup of {store.path} written to {written.path} ({written.describe()})")
    return 0


def restore(args: argparse.Namespace) -> int:
    from sales.access import command_line
    from sales.backup import BackupError, restorable, restore, summary
    from sales.demo_rows import never_used

    with refusing(BackupError):
        found = restorable(args.path)
    with opened(args.db) as store:
        if not never_used(store.cursor()) and not args.force:
            print(f"{store.path} holds {summary(store).describe()}\n{found.path} holds {found.describe()}")
            if not _confirmed(f"Replace the store with {found.path.name}? (the store is kept as a backup file)"):
                print(f"nothing restored: {store.path} already holds data; answer yes, or pass --force "
                      "(the replaced store is kept as a backup file beside it)", file=sys.stderr)
                return 2
        with refusing(BackupError):
            now, kept = restore(store, command_line(), args.path)
    print(f"{found.path} restored into {store.path} ({now.describe()})")
    if kept:
        print(f"the replaced store is kept as {kept}")
    return 0
