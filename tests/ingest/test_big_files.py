"""A file over 100 MB through ``python -m sales import``: every rejected row is reported on its own line with
its own text, wherever it is in the file, and every other record is read.

The file is written here line by line, so the expected line of each bad row is counted while writing it, not
derived by the importer: a quoted description over three lines every 997 records makes record n a different
line from n + 2, and a record whose quote never closes sits a few hundred lines before the end.
"""

import json
import subprocess
import sys

import pytest

from sales.store import Store, scalar
from tests.conftest import ROOT

HEADER = "date,person,hours,client,description"
FILLER = "reviewed the theme and the course import and the single sign-on settings with the client team"


def write_big_file(path, megabytes: int) -> tuple[dict[str, tuple[int, str]], int, float]:
    """The file; each bad row's line and text by name; the good records and their hours."""
    target = megabytes * 1_000_000
    bad_at = {"start": 0.001, "middle value": 0.5, "middle fields": 0.5002, "end": 0.999, "unclosed": 0.9995}
    bad_rows = {"start": "2025-04-03,Cy,lots,Acme,a bad duration near the start",
                "middle value": "2025-04-03,Cy,an hour or so,Acme,no duration in the middle",
                "middle fields": "2025-04-03,Cy,1,Acme,one field,too many",
                "end": "2025-04-03,Cy,-2,Acme,a negative duration near the end",
                "unclosed": '2025-04-03,Cy,1,"Acme,a quote that never closes'}
    pending = sorted(bad_at, key=bad_at.get)
    out, size, line, i = [HEADER], len(HEADER) + 1, 2, 0
    found, good, hours = {}, 0, 0.0
    while size < target:
        if pending and size >= target * bad_at[pending[0]]:
            name = pending.pop(0)
            text = bad_rows[name]
            found[name] = (line, text)
            out.append(text)
            size, line = size + len(text) + 1, line + 1
            continue
        i += 1
        if i % 997 == 0:  # one record over three lines, its description quoted
            text = f'2025-04-{i % 28 + 1:02d},Bo,2,Acme,"first line\nsecond line, with a comma\nthird ""quoted"" line"'
            line += 3
            hours += 2
        else:
            text = f"2025-04-{i % 28 + 1:02d},Ana Lopez,1.5,Acme Corporation,{FILLER} {i}"
            line += 1
            hours += 1.5
        out.append(text)
        size += len(text) + 1
        good += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return found, good, hours


@pytest.mark.slow
def test_rejects_in_a_file_over_100_mb_are_on_their_own_lines_with_their_own_text(tmp_path):
    path = tmp_path / "big.csv"
    found, good, hours = write_big_file(path, 110)
    assert path.stat().st_size > 100_000_000
    db = tmp_path / "s.duckdb"
    r = subprocess.run([sys.executable, "-m", "sales", "import", path, "--json", "--db", db], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    expected = sorted(found.values())
    assert [x["line"] for x in out["rejects"]] == [line for line, _ in expected]
    assert (out["imported"], out["rejected"]) == (good, 5)
    assert out["hours"] == pytest.approx(hours)
    listed = subprocess.run([sys.executable, "-m", "sales", "imports", "--rejects", str(out["batch"]), "--json",
                             "--db", db], cwd=ROOT, capture_output=True, text=True)
    stored = [(x["line"], x["raw"]) for x in json.loads(listed.stdout)]
    assert stored == expected
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM time_entries") == good
