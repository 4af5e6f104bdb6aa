"""Score a CSV of leads in streamed chunks: flat memory, all-or-nothing output."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from sales.csvtext import ENCODING, CsvError, line_of_record, read_head, sniff_delimiter
from sales.rubric import LevelError, Rubric, default_rubric, levels_array, match_factor_columns, score_frame

CHUNK_ROWS = 100_000
OUTPUT_COLUMNS = ("score", "score_max", "category", "unknown_factors")


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    by_category: dict[str, int]
    missing_factors: tuple[str, ...]


def _chunks(path: Path, delimiter: str, chunk_rows: int):
    return pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False, encoding=ENCODING,
                       chunksize=chunk_rows, skip_blank_lines=True)


def score_csv(src: Path, out: TextIO | Path, rubric: Rubric | None = None,
              chunk_rows: int = CHUNK_ROWS) -> ScoreSummary:
    """Append score columns to every row of ``src``; nothing reaches ``out`` unless every row is valid.

    Raises CsvError naming the file, line (header = 1) and column of the first invalid level.
    """
    rubric = rubric or default_rubric()
    src = Path(src)
    head = read_head(src)
    if not head.strip():
        raise CsvError(f"{src.name}: the file is empty")
    delimiter = sniff_delimiter(head.splitlines()[0])
    target_dir = Path(out).parent if isinstance(out, Path) else Path(tempfile.gettempdir())
    fd, tmp_name = tempfile.mkstemp(prefix=".scoring-", suffix=".csv", dir=target_dir)
    tmp = Path(tmp_name)
    counts = {c.name: 0 for c in rubric.categories}
    rows, missing = 0, ()
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as sink:
            for i, chunk in enumerate(_chunks(src, delimiter, chunk_rows)):
                if i == 0:
                    cols = match_factor_columns(list(chunk.columns), rubric)
                    if not cols:
                        names = ", ".join(f.name for f in rubric.factors)
                        raise CsvError(f"{src.name}: line 1: no factor columns found (expected any of: {names})")
                    missing = tuple(k for k in rubric.keys if k not in cols)
                levels = {}
                for key, col in cols.items():
                    try:
                        levels[key] = levels_array(chunk[col])
                    except LevelError as e:
                        record = rows + e.row  # type: ignore[attr-defined]
                        line = line_of_record(src, record, delimiter)
                        raise CsvError(f"{src.name}: line {line}, column '{col}': {e}") from None
                scored = score_frame(levels, len(chunk), rubric)
                scored.index = chunk.index
                for c in OUTPUT_COLUMNS:
                    chunk[c] = scored[c]
                chunk.to_csv(sink, index=False, header=(i == 0), lineterminator="\n")
                for name, n in scored["category"].value_counts().items():
                    counts[name] += int(n)
                rows += len(chunk)
        if isinstance(out, Path):
            os.replace(tmp, out)
        else:
            with open(tmp, encoding="utf-8") as fh:
                shutil.copyfileobj(fh, out)
    except pd.errors.ParserError as e:
        raise CsvError(f"{src.name}: cannot be parsed as CSV ({e})") from None
    except pd.errors.EmptyDataError:
        raise CsvError(f"{src.name}: the file has no header row") from None
    finally:
        tmp.unlink(missing_ok=True)
    return ScoreSummary(rows, counts, missing)


def score_csv_cli(src: str, output: str | None) -> int:
    """The ``score`` command: exit 0 on success, 2 on bad input (message on stderr)."""
    try:
        summary = score_csv(Path(src), Path(output) if output else sys.stdout)
    except (CsvError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if summary.missing_factors:
        print(f"note: no column for {', '.join(summary.missing_factors)}: scored as unknown",
              file=sys.stderr)
    parts = ", ".join(f"{n} {name}" for name, n in summary.by_category.items())
    print(f"scored {summary.rows} leads: {parts}", file=sys.stderr)
    return 0
