"""Page speed on a large store: every page's cold and warm server-side run (AppTest), and peak memory.

    .venv/bin/python bench/pages.py [--leads 100000] [--time-entries 5000000] [--db PATH] [--repeat 5]

Builds ``python -m sales demo --leads N --time-entries M`` (unless --db names an existing store), then runs
each page once cold (queries and cache filled) and --repeat times warm; prints medians. Goal: warm < 0.5 s.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGES = ["overview", "priorities", "funnel", "budget", "reference"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--time-entries", type=int, default=5_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "bench.duckdb"
    if not db.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sales", "demo", "--db", str(db), "--leads", str(args.leads),
                        "--time-entries", str(args.time_entries)], cwd=ROOT, check=True, capture_output=True)
        print(f"demo store: {args.leads:,} leads, {args.time_entries:,} time entries, built in "
              f"{time.perf_counter() - t:.0f} s")
    os.environ["SALES_DB"] = str(db)
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    st_config.set_option("server.address", "127.0.0.1")  # local mode, as `make run` serves it

    print(f"{'page':<11} {'cold':>7} {'warm (median)':>14}   runs")
    worst = 0.0
    for name in PAGES:
        import streamlit as st

        st.cache_data.clear()  # each page starts cold
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        if name != "overview":
            at.run()
            at.switch_page(f"pages/{name}.py")
        t = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t
        assert not at.exception, at.exception
        warm = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        med = statistics.median(warm)
        worst = max(worst, med)
        print(f"{name:<11} {cold:>6.2f}s {med:>13.3f}s   {', '.join(f'{w:.3f}' for w in warm)}")
    peak = int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
    print(f"slowest warm page: {worst:.3f} s (goal < 0.5 s); peak RSS {peak:,.0f} MB")
    tmp.cleanup()


if __name__ == "__main__":
    main()
