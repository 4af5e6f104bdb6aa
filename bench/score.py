"""Scoring throughput: vectorised and SQL scorers against a naive row-by-row ``apply``, one process.

Prints rows/s for each and the ratio to the baseline (medians of several runs; the machine is shared).
The naive baseline runs on a slice (it is linear in rows) so the bench finishes in reasonable time.
Also times the streaming CLI on a 1,000,000-row CSV and reports its peak memory.

    .venv/bin/python bench/score.py [--rows 1000000] [--baseline-rows 50000] [--repeat 3]
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sales.rubric import default_rubric, score_frame, score_lead, score_sql  # noqa: E402


def leads(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keys = default_rubric().keys
    raw = rng.integers(-1, 3, (n, len(keys)))  # -1 = unknown
    return pd.DataFrame({k: pd.array(np.where(raw[:, i] < 0, pd.NA, raw[:, i]), dtype="Int8")
                         for i, k in enumerate(keys)})


def naive(df: pd.DataFrame) -> pd.Series:
    """What one would write first: a Python call per row."""
    return df.apply(lambda row: score_lead({k: (None if pd.isna(v) else int(v)) for k, v in row.items()}).total,
                    axis=1)


def vectorised(df: pd.DataFrame) -> pd.DataFrame:
    arrays = {k: df[k].fillna(-1).to_numpy(dtype=np.int8) for k in df.columns}
    return score_frame(arrays, len(df))


def sql(con: duckdb.DuckDBPyConnection) -> list:
    ex = score_sql({k: k for k in default_rubric().keys})
    return con.execute(f"SELECT sum({ex['score']}), count({ex['category']}) FROM t").fetchall()  # noqa: S608


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cli_run(rows: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "leads.csv", Path(d) / "scored.csv"
        df = leads(rows, seed=2).astype("string").fillna("")
        df.insert(0, "Lead", "Lead " + pd.Series(np.arange(rows)).astype(str))
        df.to_csv(src, index=False)
        t = time.perf_counter()
        # VmHWM is the child's own peak; ru_maxrss would inherit the parent's across fork
        code = ("import re, sys; from sales.cli import main; rc = main(sys.argv[1:]); "
                "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1), file=sys.stderr); "
                "sys.exit(rc)")
        r = subprocess.run([sys.executable, "-c", code, "score", str(src), "-o", str(out)],
                           cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - t
        peak_mb = int(r.stderr.strip().splitlines()[-1]) / 1024
    return elapsed, peak_mb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--baseline-rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    df = leads(args.rows)
    sample = df.iloc[: args.baseline_rows]
    base = args.baseline_rows / timed(lambda: naive(sample), args.repeat)
    vec = args.rows / timed(lambda: vectorised(df), args.repeat)
    con = duckdb.connect()
    con.register("t", df)
    con.execute("CREATE TABLE t2 AS SELECT * FROM t")
    sq = args.rows / timed(lambda: sql(con), args.repeat)
    assert (vectorised(sample)["score"].to_numpy() == naive(sample).to_numpy()).all()
    print(f"naive row-by-row apply : {base:>14,.0f} rows/s  (on {args.baseline_rows:,} rows)")
    print(f"vectorised (numpy)     : {vec:>14,.0f} rows/s  ({vec / base:,.0f}x baseline, {args.rows:,} rows)")
    print(f"DuckDB SQL from rubric : {sq:>14,.0f} rows/s  ({sq / base:,.0f}x baseline, {args.rows:,} rows)")
    for rows in (args.rows // 4, args.rows):  # flat memory: the peak must not grow with the file
        elapsed, peak = cli_run(rows)
        print(f"CLI score {rows:>9,}-row CSV: {elapsed:5.1f} s end to end, {rows / elapsed:,.0f} rows/s, "
              f"peak RSS {peak:,.0f} MB")
    print(f"bench process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
