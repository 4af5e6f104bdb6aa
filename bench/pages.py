"""Page speed on a large store: every page's first view after a data change (the query cache cleared, as
an import or undo clears it) and a rerun of the same view, server-side (AppTest), and peak memory.

    .venv/bin/python bench/pages.py [--leads 100000] [--time-entries 5000000] [--db PATH] [--repeat 3]

Builds ``python -m sales demo --leads N --time-entries M`` (unless --db names an existing store). Rounds are
interleaved: each round opens every page once cold and reruns it three times; medians over rounds are
printed. Goals (issue #15): first view <= 0.5 s, rerun <= 0.15 s.
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
PAGES = {"overview": {}, "week": {}, "priorities": {}, "funnel": {}, "budget": {}, "whatif": {"lead": "1"},
         "workbench": {"lead": "1"}, "upload": {}, "reference": {}, "people": {}, "audit": {}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--time-entries", type=int, default=5_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
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

    from sales import leadstate
    from shell import cursor, forget_results

    def changed() -> None:
        """What a data change does: every cached query result and the shared lead state are gone."""
        forget_results()
        leadstate.forget_state(cursor())

    def view(name: str, params: dict) -> tuple[float, list[float]]:
        changed()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        for k, v in params.items():
            at.query_params[k] = v
        if name != "overview":
            at.run()
            at.switch_page(f"pages/{name}.py")
            changed()
        t = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t
        assert not at.exception, (name, at.exception)
        reruns = []
        for _ in range(3):
            t = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - t)
        return cold, reruns

    firsts = {n: [] for n in PAGES}
    again = {n: [] for n in PAGES}
    for _ in range(args.repeat):  # interleaved rounds: every page sees the same machine load
        for name, params in PAGES.items():
            cold, reruns = view(name, params)
            firsts[name].append(cold)
            again[name].append(statistics.median(reruns))
    print(f"{'page':<11} {'first view':>11} {'rerun':>8}   first views; reruns (medians of 3)")
    worst_first = worst_rerun = 0.0
    for name in PAGES:
        f, r = statistics.median(firsts[name]), statistics.median(again[name])
        worst_first, worst_rerun = max(worst_first, f), max(worst_rerun, r)
        print(f"{name:<11} {f:>10.2f}s {r:>7.3f}s   {', '.join(f'{x:.2f}' for x in firsts[name])}; "
              f"{', '.join(f'{x:.3f}' for x in again[name])}")
    print(f"slowest first view {worst_first:.2f} s (goal <= 0.5 s); slowest rerun {worst_rerun:.3f} s "
          f"(goal <= 0.15 s)")
    peak = int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
    print(f"peak RSS {peak:,.0f} MB")
    tmp.cleanup()


if __name__ == "__main__":
    main()
