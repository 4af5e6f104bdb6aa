"""Broken and hostile files through the public path (``python -m sales import --json``): for each, the
records imported, rejected by line, skipped, the exit status and the message, worked out by hand.

Every file is the canonical time layout ``date,person,hours,client,description`` unless it says
otherwise, so a good row is one hour-count worked out from the file itself.
"""

import json
import os
import subprocess
import sys

import pytest

from sales.store import Store, scalar
from tests.conftest import ROOT

HEADER = "date,person,hours,client,description"
GOOD = [f"2025-04-{d:02d},Ana,1.5,Acme,task {d}" for d in range(1, 29)]  # 28 rows of 1.5 h


def lines(*rows: str, end: str = "\n") -> bytes:
    return (end.join((HEADER, *rows)) + end).encode()


# name: (file bytes, imported, rejected lines, skipped, hours, exit status, encoding, words in the message)
CASES = {
    "stray quote on line 2 of 1,004 rows": (
        lines('2025-04-01,Ana,"oops,Acme,first', *(GOOD * 36)[:1003]),
        1003, [2], 0, 1504.5, 0, "UTF-8", ""),
    "unclosed quote on the last line": (
        lines(*GOOD[:3], '2025-04-30,Bo,2,"Acme,never closed'), 3, [5], 0, 4.5, 0, "UTF-8", ""),
    "stray quote closed rows later by another": (
        lines(GOOD[0], '2025-04-02,Ana,"oops,Acme,a', GOOD[2], 'x,y,z",w', GOOD[4]),
        3, [3, 5], 0, 4.5, 0, "UTF-8", ""),
    "a quoted description over three lines is one record": (
        lines(GOOD[0], '2025-04-02,Ana,2,Acme,"line one\nline two\nline three"', GOOD[2]),
        3, [], 0, 5.0, 0, "UTF-8", ""),
    "wrong field counts": (
        lines(GOOD[0], "2025-04-02,Ana,2,Acme", "2025-04-03,Ana,2,Acme,x,extra", GOOD[3]),
        2, [3, 4], 0, 3.0, 0, "UTF-8", ""),
    "a first row of 300 KB": (
        lines("2025-04-02,Ana,1,Acme," + "x" * 300_000, GOOD[2]), 2, [], 0, 2.5, 0, "UTF-8", ""),
    "header CRLF, last row LF": (
        (HEADER + "\r\n" + GOOD[0] + "\r\n" + GOOD[1] + "\n").encode(), 2, [], 0, 3.0, 0, "UTF-8", ""),
    "bare CR line ends": (lines(*GOOD[:3], end="\r"), 3, [], 0, 4.5, 0, "UTF-8", ""),
    "CRLF with a bare LF inside a quoted value": (
        (HEADER + "\r\n" + '2025-04-02,Ana,2,Acme,"a\nb"' + "\r\n" + GOOD[2] + "\r\n").encode(),
        2, [], 0, 3.5, 0, "UTF-8", ""),
    "UTF-8 with a BOM": (b"\xef\xbb\xbf" + lines(*GOOD[:2]), 2, [], 0, 3.0, 0, "UTF-8", ""),
    "Windows-1252 curly quotes and dashes": (
        (HEADER + "\n2025-04-02,Ana,2,Acme,“Design” – review\n").encode("cp1252"), 1, [], 0, 2.0, 0,
        "Windows-1252", ""),
    "Latin-1 names": (
        (HEADER + "\n2025-04-02,José Müller,2,Acme,x\n").encode("latin-1") + b"\x81\n",  # 0x81: no cp1252
        1, [], 1, 2.0, 0, "Latin-1", ""),  # a lone last line of one field is a report footer
    "UTF-16 with a BOM": ((HEADER + "\r\n2025-04-02,Zoë,2,Acme,x\r\n").encode("utf-16"), 1, [], 0, 2.0, 0,
                          "UTF-16", ""),
    "Windows-1252 only past the first 256 KB": (
        lines(*(GOOD * 400)[:10_000]) + "2025-04-02,Renée,2,Acme,x\n".encode("cp1252"),
        10_001, [], 0, 15_002.0, 0, "Windows-1252", ""),
    "a header and no rows": (lines(), 0, [], 0, 0.0, 2, "UTF-8", "the file has no data rows"),
    "every row bad": (lines("nope,Ana,1,Acme,x", "2025-04-02,Ana,lots,Acme,y"), 0, [2, 3], 0, 0.0, 2, "UTF-8",
                      "every row was rejected"),
    "total line skipped": (lines(*GOOD[:2], "Total,,3,,"), 2, [], 1, 3.0, 0, "UTF-8", ""),
}
REFUSED = {  # files that cannot be imported at all: nothing written, exit 2, the message
    "an empty file": (b"", "the file is empty"),
    "a spreadsheet": (b"PK\x03\x04" + b"\x00" * 100, "binary file"),
    "a blank first line": (b"\n" + lines(GOOD[0]), "line 1 is blank"),
    "a single column": (b"just,\n", "header matches no known"),
}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sales", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("case", list(CASES))
def test_broken_file(tmp_path, case):
    data, imported, rejected_lines, skipped, hours, status, encoding, message = CASES[case]
    path = tmp_path / "entries.csv"
    path.write_bytes(data)
    r = cli("import", path, "--json", "--db", tmp_path / "s.duckdb")
    assert r.returncode == status, r.stderr
    assert "Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert (out["imported"], [x["line"] for x in out["rejects"]], out["skipped"]) == (
        imported, rejected_lines, skipped)
    assert out["records"] == out["imported"] + out["duplicates"] + out["rejected"] + out["skipped"]
    assert out["hours"] == pytest.approx(hours)
    assert out["encoding"] == encoding
    assert (out["problem"] or "") == (f"nothing imported: {message}" if message else "")
    assert out["status"] == ("nothing imported" if status else "imported")
    with Store(tmp_path / "s.duckdb") as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM time_entries") == imported
        assert scalar(s.cursor(), "SELECT coalesce(sum(hours), 0) FROM time_entries") == pytest.approx(hours)
    again = json.loads(cli("import", path, "--json", "--db", tmp_path / "s.duckdb").stdout)
    assert (again["imported"], again["duplicates"]) == (0, imported)  # nothing doubled


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_file_writes_nothing(tmp_path, case):
    data, message = REFUSED[case]
    path = tmp_path / "entries.csv"
    path.write_bytes(data)
    r = cli("import", path, "--db", tmp_path / "s.duckdb")
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    with Store(tmp_path / "s.duckdb") as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM import_batches") == 0


def test_a_folder_and_a_missing_file_get_messages_and_the_other_files_still_import(tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(lines(*GOOD[:2]))
    r = cli("import", tmp_path, tmp_path / "missing.csv", good, "--json", "--db", tmp_path / "s.duckdb")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert [(o["file"], o["status"]) for o in out] == [(tmp_path.name, "failed"), ("missing.csv", "failed"),
                                                       ("good.csv", "imported")]
    assert "is a folder" in out[0]["problem"] and "cannot read the file" in out[1]["problem"]


def test_score_reads_latin1_and_leaves_no_partial_file(tmp_path):
    src = tmp_path / "leads.csv"
    src.write_bytes("name,need,budget\nJosé,2,1\n".encode("latin-1"))
    out = tmp_path / "scored.csv"
    r = cli("score", src, "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("José,2,1,6,26,Low")
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    bad = tmp_path / "bad.csv"
    bad.write_text("name,need\nA,2\nB,7\n")
    assert cli("score", bad, "-o", tmp_path / "no.csv").returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "leads.csv", "scored.csv"]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("make, what", [
    (lambda p: os.mkfifo(p), "is a named pipe (FIFO), not a file"),
    (lambda p: p.symlink_to("/dev/zero"), "is a character device, not a file"),
])
def test_special_files_are_refused_by_name_without_waiting(tmp_path, make, what):
    """A FIFO named .csv would make the import wait forever for a writer; /dev/zero would never end."""
    special = tmp_path / "entries.csv"
    make(special)
    good = tmp_path / "good.csv"
    good.write_bytes(lines(*GOOD[:2]))
    r = subprocess.run([sys.executable, "-m", "sales", "import", special, good, "--json", "--db",
                        tmp_path / "s.duckdb"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"error: entries.csv: {what}; export the data to a CSV file first" in r.stderr
    assert [(o["file"], o["status"]) for o in json.loads(r.stdout)] == [("entries.csv", "failed"),
                                                                        ("good.csv", "imported")]
    from sales.ingest.describe import describe
    assert describe(special).problem.startswith(f"entries.csv: {what}")
