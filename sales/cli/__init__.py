"""``python -m sales``: the same functions the pages call, for scripts and reports.

One module per concern: ``parser`` (every command and option), ``opening`` (the store, the as-of day and
listings every command shares), ``importing`` (import, imports, mappings, undo), ``reporting`` (score,
report, digest), ``people`` (access, targets), ``store_commands`` (backup, restore, demo) and ``serve``.
Each command imports the libraries it needs when it runs, so ``--help`` stays quick.
"""

from __future__ import annotations

import os  # noqa: F401 (sales.cli.os: tests replace os.execv through it)
import sys
from collections.abc import Sequence

from sales.cli.opening import Failed
from sales.cli.parser import build_parser
from sales.terminal import printing_text

__all__ = ["build_parser", "main"]


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
        except Failed:  # said already
            return 2
        except Exception as e:  # a store that fails after opening: one line, never a traceback
            from sales.store import StoreError

            if not isinstance(e, StoreError):
                raise
            print(f"error: {e}", file=sys.stderr)
            return 2
