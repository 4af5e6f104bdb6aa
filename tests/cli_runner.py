"""``python -m sales`` run inside the test process (quicker than a new interpreter), as a fixture:
``cli("backup", PATH)`` returns the exit status and what was printed. Nobody is at a terminal to answer
a question. Tests that need another program beside the store start one with subprocess instead."""

import sys
from dataclasses import dataclass

import pytest

from sales.cli import main


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(name="cli")
def cli_fixture(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)

    def call(*args: str) -> Ran:
        code = main(list(args))
        out, err = capsys.readouterr()
        return Ran(code, out, err)
    return call
