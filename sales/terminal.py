"""What the command line prints reaches a terminal as text: nothing in it is obeyed as a terminal command."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator

# what a terminal would act on rather than show: ANSI escape sequences (CSI, OSC and the other string
# controls, two-character escapes), then every C0 and C1 control character but newline and tab
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                      r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
                      r"|\x1b[ -~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` without anything a terminal would act on (colours, cursor moves, titles, bells, carriage
    returns): lead names, file names and rejected values from files are printed, never obeyed."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class _Terminal(io.TextIOBase):
    """An output stream whose every write goes through ``terminal_text``."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_text(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def encoding(self):
        return getattr(self._stream, "encoding", "utf-8")


@contextlib.contextmanager
def printing_text() -> Iterator[None]:
    """Every print of a command (ours, argparse's, the scorer's) goes through ``terminal_text``."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Terminal(out), _Terminal(err)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err
