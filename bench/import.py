"""Import throughput, whole process against whole process: ``python -m sales import`` of a 1,000,000-row
Tempo export against a Python process in which DuckDB merely counts the same file's rows (interpreter
start, imports and all on both sides), for a wide (25-column) and a narrow (11-column) Tempo layout.

- first: the file into a fresh store;
- again: the same file a second time, every row a duplicate (the store is filled by an untimed run first).

Runs are interleaved (count, first, again for each layout in turn, --repeat times) so each sees the same
machine load; medians are printed with the ratio (goal: at most 3x the count) and peak memory.

Then memory on a file of about 1 GB (--big-mb; 0 skips it), whole process: the peak of a first import (the bulk
path), and of the same file with one bad row at its end (every row through the general path). Goal: at most
600 MB whatever the file's size.

Then spreadsheets (--xlsx-rows; 0 skips them): ``python -m sales import`` of a narrow Tempo export as .xlsx (typed
cells, shared strings, as Excel and Odoo write it) against the same rows as CSV, whole process, interleaved;
goal: at most 3x.

    .venv/bin/python bench/import.py [--rows 1000000] [--repeat 3] [--big-mb 1000] [--xlsx-rows 100000]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ["Issue Key", "Issue summary", "Hours", "Work date", "Username", "Full name", "Period", "Account Key",
          "Account Name", "Activity Name", "Component", "Version Name", "Issue Type", "Issue Status", "Project Key",
          "Project Name", "Work Description", "Parent Key", "Reporter", "External Hours", "Billed Hours",
          "Issue Original Estimate", "Issue Remaining Estimate", "Location Name", "Epic"]


NARROW = ["Issue Key", "Issue summary", "Hours", "Work date", "Username", "Full name", "Account Key", "Account Name",
          "Activity Name", "Work Description", "Billed Hours"]
LAYOUTS = {"wide": HEADER, "narrow": NARROW}


def write_tempo(path: Path, rows: int, seed: int = 3, header: list[str] = HEADER) -> None:
    """A realistic Tempo worklog export (~250 bytes a row in the wide layout), written in chunks."""
    rng = np.random.default_rng(seed)
    people = np.array([f"Developer {i}" for i in range(40)])
    accounts = np.array([f"Client account {i}" for i in range(120)])
    words = np.array(["Fix", "review", "the", "theme", "upgrade", "SSO", "course", "import", "XBlock", "deploy",
                      "analytics", "meeting", "with", "client", "about", "migration", "tests"])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(f'"{h}"' for h in header) + "\n")
        step = 200_000
        for start in range(0, rows, step):
            n = min(step, rows - start)
            day = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
            person = rng.integers(0, len(people), n)
            acc = rng.integers(0, len(accounts), n)
            hours = np.round(rng.integers(1, 33, n) * 0.25, 2)
            desc = [" ".join(words[rng.integers(0, len(words), 6)]) for _ in range(n)]
            frame = pd.DataFrame({
                "Issue Key": np.char.add("PRJ-", rng.integers(1, 20000, n).astype(str)),
                "Issue summary": "Implement the requested platform change",
                "Hours": hours, "Work date": day.strftime("%Y-%m-%d 00:00"),
                "Username": np.char.add("user", person.astype(str)), "Full name": people[person],
                "Period": day.strftime("%b/%y"), "Account Key": np.char.add("ACC", acc.astype(str)),
                "Account Name": accounts[acc], "Activity Name": "Development", "Component": "",
                "Version Name": "", "Issue Type": "Task", "Issue Status": "Done", "Project Key": "PRJ",
                "Project Name": "Platform", "Work Description": desc, "Parent Key": "", "Reporter": "Project Lead",
                "External Hours": 0, "Billed Hours": np.where(rng.random(n) < 0.85, hours, 0),
                "Issue Original Estimate": 8, "Issue Remaining Estimate": 0, "Location Name": "Remote", "Epic": "",
            })
            frame[header].to_csv(fh, header=False, index=False, quoting=1, lineterminator="\n")


COUNT = """
import sys, duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")  # its bar would be drawn into the output read here
print(con.execute("SELECT count(*) FROM read_csv(?)", [sys.argv[1]]).fetchall()[0][0])
"""


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall time of a whole process, and what it printed."""
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - t, out


def count_rows(path: Path) -> float:
    elapsed, out = timed([sys.executable, "-c", COUNT, str(path)])
    assert int(out) > 0
    return elapsed


def import_rows(path: Path, db: Path) -> tuple[float, dict]:
    elapsed, out = timed([sys.executable, "-m", "sales", "import", str(path), "--db", str(db), "--json"])
    return elapsed, json.loads(out)


def peak_of_import(path: Path, db: Path) -> float:
    """Peak memory of one import process (MB), as the kernel recorded it for the child (getrusage)."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "sales", "import", str(path), "--db",
                          str(db)], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return int(out) / 1024


BAD_LAST_ROW = ('"PRJ-1","bad","lots","2025-02-01 00:00","u","U","Jan/25","A","B","C","","","","","","",'
                '"a description over\ntwo lines","","","0","0","8","0","Remote",""\n')


def big_file_peaks(work: Path, megabytes: int) -> None:
    """Peak memory of whole-process imports of a ~``megabytes`` MB Tempo file: bulk, then general path."""
    path = work / "tempo-big.csv"
    write_tempo(path, int(megabytes * 1e6 / 281), seed=5)  # the wide layout: about 281 bytes a row
    bulk = peak_of_import(path, work / "big-bulk.duckdb")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(BAD_LAST_ROW)
    general = peak_of_import(path, work / "big-general.duckdb")
    print(f"a {path.stat().st_size / 1e6:,.0f} MB file, whole process, peak memory (goal <= 600 MB): first import "
          f"{bulk:,.0f} MB; with a bad last row (the general path) {general:,.0f} MB")


def write_xlsx(csv_path: Path, dest: Path) -> None:
    """The CSV's rows as one sheet of typed cells: numbers as numbers, work dates as true dates."""
    import xlsxwriter

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    book = xlsxwriter.Workbook(str(dest), {"default_date_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("Worklogs")
    sheet.write_row(0, 0, list(frame.columns))
    numbers = {i for i, c in enumerate(frame.columns) if c in ("Hours", "Billed Hours")}
    dates = {i for i, c in enumerate(frame.columns) if c == "Work date"}
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, v in enumerate(row):
            if c in numbers:
                sheet.write_number(r, c, float(v))
            elif c in dates:
                sheet.write_datetime(r, c, pd.Timestamp(v).to_pydatetime())
            elif v:
                sheet.write_string(r, c, v)
    book.close()


def xlsx_ratio(work: Path, rows: int, repeat: int) -> None:
    """A first import of ``rows`` rows as .xlsx against the same rows as CSV, whole process, interleaved."""
    text, sheet = work / "tempo-sheet.csv", work / "tempo-sheet.xlsx"
    write_tempo(text, rows, seed=7, header=NARROW)
    write_xlsx(text, sheet)
    runs = {"csv": [], "xlsx": []}
    results = {}
    for i in range(repeat):
        for kind, path in (("csv", text), ("xlsx", sheet)):
            db = work / f"sheet-{kind}-{i}.duckdb"
            elapsed, results[kind] = import_rows(path, db)
            runs[kind].append(elapsed)
            db.unlink()
    assert results["csv"]["imported"] == results["xlsx"]["imported"] == rows, results
    c, x = statistics.median(runs["csv"]), statistics.median(runs["xlsx"])
    print(f"spreadsheet: {rows:,} rows of the narrow Tempo layout, {sheet.stat().st_size / 1e6:,.1f} MB .xlsx, "
          f"{text.stat().st_size / 1e6:,.1f} MB CSV; first import, whole process: .xlsx median {x:.2f} s, CSV "
          f"median {c:.2f} s: .xlsx = {x / c:.1f}x the CSV (goal <= 3x)  (runs .xlsx "
          f"{', '.join(f'{t:.2f}' for t in runs['xlsx'])}; CSV {', '.join(f'{t:.2f}' for t in runs['csv'])})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big-mb", type=int, default=1000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--xlsx-only", action="store_true", help="measure only the spreadsheet ratio")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        if args.xlsx_only:
            xlsx_ratio(work, args.xlsx_rows, args.repeat)
            return
        files = {}
        for name, header in LAYOUTS.items():
            files[name] = work / f"tempo-{name}.csv"
            write_tempo(files[name], args.rows, header=header)
        counts = {n: [] for n in LAYOUTS}
        runs = {(n, m): [] for n in LAYOUTS for m in ("first", "again")}
        results = {}
        for i in range(args.repeat):  # interleaved: every measurement sees the same machine load
            for name, path in files.items():
                counts[name].append(count_rows(path))
                db = work / f"{name}-{i}.duckdb"
                elapsed, results[(name, "first")] = import_rows(path, db)
                runs[(name, "first")].append(elapsed)
                elapsed, results[(name, "again")] = import_rows(path, db)
                runs[(name, "again")].append(elapsed)
                db.unlink()
        help_runs = [timed([sys.executable, "-m", "sales", "--help"])[0] for _ in range(5)]
        for name, path in files.items():
            c = statistics.median(counts[name])
            peak = peak_of_import(path, work / f"{name}-peak.duckdb")
            print(f"{name} Tempo layout ({len(LAYOUTS[name])} columns): {args.rows:,} rows, "
                  f"{path.stat().st_size / 1e6:,.0f} MB; DuckDB count, whole process: median {c:.2f} s "
                  f"(runs {', '.join(f'{x:.2f}' for x in counts[name])})")
            for mode in ("first", "again"):
                im = statistics.median(runs[(name, mode)])
                r = results[(name, mode)]
                print(f"  import, {mode:5s}: median {im:.2f} s = {im / c:.1f}x the count (goal <= 3x)  "
                      f"(runs {', '.join(f'{x:.2f}' for x in runs[(name, mode)])}); {r['imported']:,} imported, "
                      f"{r['duplicates']:,} duplicates, {r['rejected']} rejected")
            print(f"  peak memory of a first import: {peak:,.0f} MB")
        print(f"python -m sales --help: median {statistics.median(help_runs):.2f} s (goal <= 0.2 s)")
        for f in files.values():
            f.unlink()
        if args.big_mb:
            big_file_peaks(work, args.big_mb)
        if args.xlsx_rows:
            xlsx_ratio(work, args.xlsx_rows, args.repeat)


if __name__ == "__main__":
    main()
