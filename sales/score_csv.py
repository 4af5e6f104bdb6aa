"""Score a CSV of leads in streamed chunks: flat memory, all-or-nothing output."""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from sales.csvtext import ENCODING_LABELS, CsvError, line_of_record, python_codec, read_head, sniff_delimiter
from sales.rubric import LevelError, Rubric, default_rubric, levels_array, match_factor_columns, score_frame

CHUNK_ROWS = 100_000
OUTPUT_COLUMNS = ("score", "score_max", "category", "unknown_factors")


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    by_category: dict[str, int]
    missing_factors: tuple[str, ...]


def _chunks(path: Path, delimiter: str, chunk_rows: int, encoding: str):
    return pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False, encoding=python_codec(encoding),
                       chunksize=chunk_rows, skip_blank_lines=True)


def _link_open_file(fd: int, dest: Path) -> None:
    """Give an ``O_TMPFILE`` file a name: linkat with AT_SYMLINK_FOLLOW, which os.link does not pass."""
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_symlink_follow = -100, 0x400
    if libc.linkat(at_fdcwd, f"/proc/self/fd/{fd}".encode(), at_fdcwd, os.fsencode(dest), at_symlink_follow):
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(dest))


class _Output:
    """Where the scored rows go while they are written: a file with no name next to the output
    (Linux ``O_TMPFILE``), given the output's name only when every row is valid, so nothing is left
    behind whatever stops the process; elsewhere a hidden temporary file removed on any error."""

    def __init__(self, target: Path):
        self.target = target
        self.name: Path | None = None
        try:
            self.fd = os.open(target.parent, os.O_TMPFILE | os.O_WRONLY, 0o666)  # the umask applies
        except (AttributeError, OSError):
            self.fd, name = tempfile.mkstemp(prefix=".scoring-", suffix=".csv", dir=target.parent)
            self.name = Path(name)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.fd, 0o666 & ~umask)  # the user's normal mode, not mkstemp's 0600

    def publish(self) -> None:
        if self.name is not None:
            os.replace(self.name, self.target)
            return
        staging = self.target.with_name(f".{self.target.name}.{os.getpid()}")
        _link_open_file(self.fd, staging)  # named for an instant, then renamed into place
        os.replace(staging, self.target)

    def discard(self) -> None:
        if self.name is not None:
            self.name.unlink(missing_ok=True)


def score_csv(src: Path, out: TextIO | Path, rubric: Rubric | None = None,
              chunk_rows: int = CHUNK_ROWS) -> ScoreSummary:
    """Append score columns to every row of ``src``; nothing reaches ``out`` unless every row is valid.

    Raises CsvError naming the file, line (header = 1) and column of the first invalid level.
    """
    rubric = rubric or default_rubric()
    src = Path(src)
    head, encoding = read_head(src)
    if not head.strip():
        raise CsvError(f"{src.name}: the file is empty")
    delimiter = sniff_delimiter(head.splitlines()[0])
    if isinstance(out, Path):
        return _score_to_file(src, out, rubric, chunk_rows, delimiter, encoding)
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as sink:
        summary = _score(src, sink, rubric, chunk_rows, delimiter, encoding)
        sink.seek(0)
        shutil.copyfileobj(sink, out)
    return summary


def _score_to_file(src: Path, out: Path, rubric: Rubric, chunk_rows: int, delimiter: str,
                   encoding: str) -> ScoreSummary:
    target = _Output(out)
    try:
        with os.fdopen(target.fd, "w", newline="", encoding="utf-8", closefd=False) as sink:
            summary = _score(src, sink, rubric, chunk_rows, delimiter, encoding)
        target.publish()
        return summary
    finally:
        os.close(target.fd)
        target.discard()


def _score(src: Path, sink: TextIO, rubric: Rubric, chunk_rows: int, delimiter: str,
           encoding: str) -> ScoreSummary:
    counts = {c.name: 0 for c in rubric.categories}
    rows, missing = 0, ()
    try:
        for i, chunk in enumerate(_chunks(src, delimiter, chunk_rows, encoding)):
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
                    line = line_of_record(src, record, delimiter, python_codec(encoding))
                    raise CsvError(f"{src.name}: line {line}, column '{col}': {e}") from None
            scored = score_frame(levels, len(chunk), rubric)
            scored.index = chunk.index
            for c in OUTPUT_COLUMNS:
                chunk[c] = scored[c]
            chunk.to_csv(sink, index=False, header=(i == 0), lineterminator="\n")
            for name, n in scored["category"].value_counts().items():
                counts[name] += int(n)
            rows += len(chunk)
    except pd.errors.ParserError as e:
        raise CsvError(f"{src.name}: cannot be parsed as CSV ({e})") from None
    except pd.errors.EmptyDataError:
        raise CsvError(f"{src.name}: the file has no header row") from None
    except UnicodeDecodeError as e:
        raise CsvError(f"{src.name}: not readable as {ENCODING_LABELS[encoding]} text ({e.reason})") from None
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
