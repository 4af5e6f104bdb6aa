"""``python -m sales`` commands about imports: import files, list the batches and their rejects, the saved
column mappings, and undo a batch."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sales.cli.opening import listing, opened, refusing


def cmd_import(args: argparse.Namespace) -> int:
    from sales.access import command_line
    from sales.ingest import IngestError, import_file

    if args.explain:  # what each file would be read as; writes nothing
        from sales.ingest.explain import run

        return run(args.files, args.db, args.kind, args.format, args.map, args.json, args.sheet)
    results, failed = [], False
    with opened(args.db, writes=True) as store:
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
                print_import(r)
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=2, default=str))
    return 2 if failed else 0


def print_import(r) -> None:
    """One file's import result as text: the counts, the columns, warnings and the first rejects."""
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


def cmd_imports(args: argparse.Namespace) -> int:
    from sales.ingest import batch_rejects, list_batches

    with opened(args.db) as store:
        frame = batch_rejects(store.cursor(), args.rejects) if args.rejects else list_batches(store.cursor())
    empty = f"no rejected rows in batch {args.rejects}" if args.rejects else "no imports yet"
    return listing(frame, args.json, empty)


def cmd_undo(args: argparse.Namespace) -> int:
    from sales.access import command_line
    from sales.ingest import IngestError, undo_batch
    from sales.undo_text import undo_sentence

    with opened(args.db, writes=True) as store, refusing(IngestError):
        sentence = undo_sentence(store.cursor(), args.batch)
        if sentence:
            print(sentence)
        undo_batch(store, command_line(), args.batch)
    print(f"batch {args.batch} undone.")
    return 0


def cmd_mappings(args: argparse.Namespace) -> int:
    from sales.ingest import mappings

    with opened(args.db) as store:
        frame = mappings.listing(store.cursor())
    return listing(frame if args.json else frame.drop(columns=["fingerprint"]), args.json,
                   "no saved mappings yet: import a file with --map FILE, or name its columns on the Upload page")
