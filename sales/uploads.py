"""Where uploaded files wait on disk (DuckDB reads files, not buffers), and how they are cleared.

Each browser session gets its own folder. A file leaves it as soon as it leaves the uploader,
and folders left behind by sessions that ended are swept once they are a day old.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

PREFIX = "sales-upload-"
STALE_AFTER_S = 24 * 3600


def new_workdir(root: Path | None = None) -> Path:
    """A fresh folder for one session's uploads; sweeps other sessions' stale folders first."""
    root = Path(root or tempfile.gettempdir())
    sweep_stale(root)
    return Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))


def upload_path(workdir: Path, file_id: str, name: str) -> Path:
    """The file's place in the folder; the uploader's id keeps two files of one name apart."""
    return workdir / f"{file_id}-{Path(name).name}"


def human_size(n: int) -> str:
    """1,234 bytes → '1.2 KB': the unit that keeps the number readable."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} bytes"


def keep_only(workdir: Path, wanted: set[Path]) -> list[Path]:
    """Delete every file in ``workdir`` not in ``wanted``; returns what was removed."""
    removed = []
    for path in workdir.glob("*"):
        if path.is_file() and path not in wanted:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def sweep_stale(root: Path, now: float | None = None, max_age_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove upload folders under ``root`` untouched for ``max_age_s``; returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    for folder in root.glob(f"{PREFIX}*"):
        try:
            newest = max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.glob("*")])
        except OSError:  # removed meanwhile by another session's sweep
            continue
        if folder.is_dir() and now - newest > max_age_s:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
