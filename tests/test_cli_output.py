"""What the command line prints reaches a terminal as text: no escape sequence or control character from a
lead name, a file name or a rejected value is ever obeyed (colours, cursor moves, window titles, bells)."""

import subprocess
import sys

import pytest

from sales.terminal import terminal_text
from tests.conftest import ROOT

ESC = "\x1b"


@pytest.mark.parametrize("raw, shown", [
    ("Acme \x1b[31mRED\x1b[0m Ltd", "Acme RED Ltd"),  # colours (CSI)
    ("a\x1b[2J\x1b[Hb", "ab"),  # clear screen, cursor home
    ("a\x1b]0;owned\x07b", "ab"),  # window title (OSC ended by BEL)
    ("a\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # hyperlink (OSC ended by ST)
    ("reset\x1bc!", "reset!"),  # full reset (a two-character escape)
    ("c1\x9b31mq\x9d0;t\x9cz\x85", "c1qz"),  # the same as C1 controls
    ("bell\x07 back\x08 cr\rnul\x00del\x7f", "bell back crnuldel"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),  # kept
    ("José · 中文 · émoji 🙂", "José · 中文 · émoji 🙂"),  # text is text
])
def test_terminal_text_keeps_text_and_drops_what_a_terminal_obeys(raw, shown):
    assert terminal_text(raw) == shown


def test_names_from_files_reach_the_terminal_as_text(tmp_path):
    """A lead name, a file name and a rejected value with escapes, through import, imports and report."""
    db = tmp_path / "s.duckdb"
    header = (ROOT / "data" / "templates" / "leads.csv").read_text().splitlines()[0]
    columns = header.split(",")
    row = dict.fromkeys(columns, "")
    row.update(id="L-1", name="Acme \x1b[31mRED\x1b]0;owned\x07 \x9b2J", organisation="Acme", owner="Bo\x07",
               source="Web", created_on="2026-01-10", stage="new", status="open")
    bad = {**row, "id": "L-2", "name": "Beta", "created_on": "2026-13-45\x1b[2J"}
    src = tmp_path / "leads\x1b[1mbold.csv"
    src.write_text("\n".join([header] + [",".join(r[c] for c in columns) for r in (row, bad)]) + "\n")

    def run(*args):
        r = subprocess.run([sys.executable, "-m", "sales", *args, "--db", str(db)], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
        for stream in (r.stdout, r.stderr):
            assert ESC not in stream and "\x07" not in stream and "\x9b" not in stream and "\r" not in stream
        return r

    imported = run("import", str(src))
    assert "leadsbold.csv" in imported.stdout  # the file's name, without its escape
    assert "line 3" in imported.stdout  # the rejected row is still reported by line
    assert "Acme RED" in run("report", "priorities").stdout
    assert "leadsbold.csv" in run("imports").stdout
