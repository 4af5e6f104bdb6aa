"""Import throughput: a 1,000,000-row Tempo export against DuckDB merely counting the same file's rows.

Both are measured in this process, side by side, several times; medians are printed with the
ratio (goal: import within 3x the count) and the import's peak memory. Three situations:

- first: the tool's first export into the store (the bulk path: one statement);
- next: the store holds the tool's entries from an earlier period (still the bulk path);
- superset: the store already holds the file's first half (an earlier, shorter export), so every
  row is matched against the store and half of them are new (the general path);
- again: the same file a second time, every row a duplicate (the general path).

    .venv/bin/python bench/import.py [--rows 1000000] [--repeat 3] [--modes first,next,superset,again]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ["Issue Key", "Issue summary", "Hours", "Work date", "Username", "Full name", "Period", "Account Key",
          "Account Name", "Activity Name", "Component", "Version Name", "Issue Type", "Issue Status", "Project Key",
          "Project Name", "Work Description", "Parent Key", "Reporter", "External Hours", "Billed Hours",
          "Issue Original Estimate", "Issue Remaining Estimate", "Location Name", "Epic"]


def write_tempo(path: Path, rows: int, seed: int = 3) -> None:
    """A realistic Tempo worklog export (~250 bytes a row), written in chunks."""
    rng = np.random.default_rng(seed)
    people = np.array([f"Developer {i}" for i in range(40)])
    accounts = np.array([f"Client account {i}" for i in range(120)])
    words = np.array(["Fix", "review", "the", "theme", "upgrade", "SSO", "course", "import", "XBlock", "deploy",
                      "analytics", "meeting", "with", "client", "about", "migration", "tests"])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(f'"{h}"' for h in HEADER) + "\n")
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
            frame.to_csv(fh, header=False, index=False, quoting=1, lineterminator="\n")


def count_rows(path: Path) -> float:
    t = time.perf_counter()
    n = duckdb.connect().execute("SELECT count(*) FROM read_csv(?)", [str(path)]).fetchall()[0][0]
    assert n > 0
    return time.perf_counter() - t


IMPORT = """
import re, sys, time
from pathlib import Path
from sales.access import command_line
from sales.store import Store
from sales.ingest import import_file
ADMIN = command_line()
path, db, mode = sys.argv[1:4]
with Store(db) as store:
    if mode == "next":  # one entry from the same tool, before the file's dates
        seed = Path(db).with_suffix(".seed.csv")
        head = open(path, encoding="utf-8").readline()
        seed.write_text(head + '"PRJ-1","x","1","2020-01-01 00:00","u","U","Jan/20","A","A","Dev","","","Task",'
                        '"Done","PRJ","P","seed","","R","0","1","8","0","Remote",""\\n', encoding="utf-8")
        assert import_file(store, ADMIN, seed).imported == 1
    elif mode == "superset":  # the file's first half, imported before
        lines = open(path, encoding="utf-8").readlines()
        half = Path(db).with_suffix(".half.csv")
        half.write_text("".join(lines[: 1 + (len(lines) - 1) // 2]), encoding="utf-8")
        del lines
        import_file(store, ADMIN, half)
    elif mode == "again":
        import_file(store, ADMIN, path)
    t = time.perf_counter()
    r = import_file(store, ADMIN, path)
    elapsed = time.perf_counter() - t
peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))
print(elapsed, r.imported, r.rejected, r.hours, peak, r.duplicates)
"""

MODES = ("first", "next", "superset", "again")


def import_once(path: Path, work: Path, i: int, mode: str) -> tuple[float, int, int, float, int, int]:
    """A fresh store in a fresh process each time, so runs do not warm each other's caches."""
    db = work / f"bench-{mode}-{i}.duckdb"
    out = subprocess.run([sys.executable, "-c", IMPORT, str(path), str(db), mode], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    db.unlink(missing_ok=True)
    return float(out[0]), int(out[1]), int(out[2]), float(out[3]), int(out[4]), int(out[5])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--modes", default=",".join(MODES), help=f"some of {','.join(MODES)}")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m in MODES]
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        path = work / "tempo.csv"
        write_tempo(path, args.rows)
        size = path.stat().st_size
        counts, imports = [], {m: [] for m in modes}
        for i in range(args.repeat):  # interleaved: all see the same machine load
            for mode in modes:
                counts.append(count_rows(path))
                imports[mode].append(import_once(path, work, i, mode))
        c = statistics.median(counts)
        print(f"file: {args.rows:,} rows, {size / 1e6:,.0f} MB (Tempo layout)")
        print(f"DuckDB count(*)  : median {c:.2f} s  ({len(counts)} runs, {min(counts):.2f} to {max(counts):.2f})")
        for mode in modes:
            runs = imports[mode]
            im = statistics.median(x[0] for x in runs)
            _, imported, rejected, hours, peak, dups = runs[0]
            print(f"import, {mode:8s}: median {im:.2f} s = {im / c:.1f}x the count (goal <= 3x)  "
                  f"(runs {', '.join(f'{x[0]:.2f}' for x in runs)}); {imported:,} imported, {dups:,} duplicates, "
                  f"{rejected} rejected, {hours:,.2f} h; peak RSS {peak / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
