"""Many people at once: K browser sessions against one dashboard server on the large store.

    .venv/bin/python bench/load.py [--db PATH] [--leads 100000] [--time-entries 5000000] [--sessions 1,5,10,20]
                                   [--cycles 2] [--think 3] [--client ws|browser]

Starts ``streamlit run app.py`` (local mode, 127.0.0.1) on the store, then for each K opens K sessions at
once. Each session opens the app (with a period that differs between sessions), then cycles --cycles times
through every dashboard as a person does: to the page, then a filter change (a category chosen). It
measures the time from each request until the page is complete.

Two kinds of client (--client):
- ``ws`` (default): each session is a websocket client speaking Streamlit's own protocol (the BackMsg and
  ForwardMsg protobufs the browser sends and receives), so the server does exactly the work it does for a
  person, while the client costs next to nothing; complete = the server's "script finished" message, with
  the page's heading among the elements it sent.
- ``browser``: real sessions in one Chromium (Playwright, a browser context each), clicking the sidebar
  and typing into the category filter; complete = the script has run and the heading is on screen. On a
  machine with few cores the browsers' rendering competes with the server, so this measures both.

Two passes over the same server:
- people: each person reads a page before the next action, a time drawn uniformly from 0 to twice --think
  (3 s on average: a brisk reader). Goal (issue #15): at K = 10, no errors and a 95th percentile at most 3x
  that at K = 1.
- back to back: no reading time, every session asks for its next page the moment one is complete. This
  keeps the server busy whatever its speed, so each page waits for the K - 1 others' pages: latency grows
  with K for any server bound by its CPU. What this pass measures is capacity, the pages per second one
  server completes, and from it how many people at the --think pace one server carries.

Prints, per pass and K, the median and 95th percentile of those times, the errors (a page that fails, shows
an exception or times out), the pages completed per second, the server's CPU time and peak memory.
"""

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PERIODS = (("2026-01-01", None), ("2025-07-01", "2025-12-31"), ("2025-01-01", None))
CATEGORIES = ("High", "Medium", "Low")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "SALES_DB": str(db)}
    launcher = os.environ.get("LOAD_SERVER_LAUNCHER")  # e.g. a sampling profiler around streamlit
    proc = subprocess.Popen([sys.executable, *([launcher] if launcher else ["-m", "streamlit"]), "run",
                             str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def peak_mb(pid: int) -> float:
    """The server's peak resident memory so far (its own, not its children's)."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024


# sidebar label, the page's heading, whether the sidebar has the category filter there
NAV = (("Overview", "Overview", True), ("This week", "This week", False), ("Priorities", "Priorities", True),
       ("Funnel", "Funnel", True), ("Budget", "Hours billed against budget", True))


async def settled(page, heading: str) -> None:
    """The rerun the last action started has finished and ``heading`` is on screen."""
    try:  # a fast rerun may be over before we look
        await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=1_500)
    except Exception:  # noqa: BLE001,S110
        pass
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
    await page.locator('[data-testid="stMain"] h1').filter(has_text=heading).first.wait_for(timeout=120_000)
    if await page.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"{heading}: an exception on the page")


async def timed(action, page, heading: str) -> float:
    t = time.perf_counter()
    await action()
    await settled(page, heading)
    return time.perf_counter() - t


async def choose(page, box, category: str) -> None:
    """A filter change: a category typed into the sidebar's multiselect and taken."""
    field = box.locator("input")
    await field.click()
    await field.fill(category)
    await page.keyboard.press("Enter")
    await page.keyboard.press("Escape")


async def session(browser, base: str, n: int, cycles: int, today: str, times: list, errors: list):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    start, end = PERIODS[n % len(PERIODS)]
    rng = random.Random(n)
    try:
        await page.goto(f"{base}/?from={start}&to={end or today}", wait_until="domcontentloaded")
        await settled(page, "Overview")
        await think(rng)
        for cycle in range(cycles):
            for i, (label, heading, filtered) in enumerate(NAV):
                try:
                    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=label).first
                    times.append(await timed(link.click, page, heading))
                    await think(rng)
                    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
                        has_text="Category").first
                    taken = await box.inner_text() if filtered else ""
                    free = [c for c in CATEGORIES if c not in taken.splitlines()[1:]]
                    if filtered and free:  # each session picks its categories in its own order
                        category = free[(n + cycle + i) % len(free)]
                        times.append(await timed(lambda b=box, c=category: choose(page, b, c), page, heading))
                        await think(rng)
                except Exception as e:  # noqa: BLE001 (an error is a result here)
                    errors.append(f"session {n}, {label}: {str(e).splitlines()[0][:160]}")
    finally:
        await context.close()


async def run(base: str, ks: list[int], cycles: int, pid: int, client: str) -> dict:
    from contextlib import AsyncExitStack

    today = time.strftime("%Y-%m-%d")
    async with AsyncExitStack() as stack:
        if client == "browser":
            from playwright.async_api import async_playwright

            p = await stack.enter_async_context(async_playwright())
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

            def session_of(n, cycles, times, errors):
                return session(browser, base, n, cycles, today, times, errors)
        else:
            def session_of(n, cycles, times, errors):
                return ws_session(base, n, cycles, today, times, errors)
        # warm-up: the server's first run of each page (imports, the first data version's state)
        await session_of(0, 1, [], [])
        results = {}
        for k in ks:
            times: list[float] = []
            errors: list[str] = []
            t, cpu, machine = time.perf_counter(), cpu_seconds(pid), machine_busy()
            await asyncio.gather(*(session_of(n, cycles, times, errors) for n in range(k)))
            wall, cpu = time.perf_counter() - t, cpu_seconds(pid) - cpu
            busy, total = (a - b for a, b in zip(machine_busy(), machine))
            ordered = sorted(times)
            p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)] if ordered else float("nan")
            results[k] = (statistics.median(ordered) if ordered else float("nan"), p95, len(times) / wall)
            print(f"K={k:<3} pages {len(times):>4}  median {results[k][0]:5.2f} s  p95 {p95:5.2f} s  "
                  f"errors {len(errors)}  {results[k][2]:5.1f} pages/s  "
                  f"server CPU {cpu:6.1f} s ({cpu / wall:.0%} of one core, "
                  f"{cpu / max(1, len(times)) * 1000:.0f} ms a page), "
                  f"machine {busy / total:.0%} busy  "
                  f"server peak {peak_mb(pid):,.0f} MB", flush=True)
            for e in errors[:5]:
                print(f"        {e}")
    return results


THINK = [0.0]  # mean seconds a person reads a page before the next action (--think)


async def think(rng) -> None:
    if THINK[0]:
        await asyncio.sleep(rng.uniform(0, 2 * THINK[0]))


async def ws_session(base: str, n: int, cycles: int, today: str, times: list, errors: list) -> None:
    """One person as a websocket client: the same messages a browser sends, the same work for the server."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start, end = PERIODS[n % len(PERIODS)]
    period = f"from={start}&to={end or today}"

    hashes: dict[str, str] = {}  # url path -> page script hash, from the server's navigation message

    async def request(ws, page: str, query: str, heading: str) -> float:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        if page in hashes:  # what the browser sends on a click in the sidebar
            msg.rerun_script.page_script_hash = hashes[page]
        else:  # the first request: the app's default page, by its link
            msg.rerun_script.page_name = page
        t = time.perf_counter()
        await ws.send(msg.SerializeToString())
        seen = False
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                element = fm.delta.new_element
                if element.WhichOneof("type") == "exception":
                    raise RuntimeError(f"{heading}: {element.exception.message[:120]}")
                if element.WhichOneof("type") == "heading" and element.heading.body == heading:
                    seen = True
            elif kind == "navigation":
                for app_page in fm.navigation.app_pages:
                    hashes[app_page.url_pathname] = app_page.page_script_hash
                    if app_page.is_default:
                        hashes[""] = app_page.page_script_hash
            elif kind == "page_not_found":
                raise RuntimeError(f"{page}: page not found")
            elif kind == "script_finished":
                if fm.script_finished != ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"{heading}: the script ended with status {fm.script_finished}")
                if not seen:
                    raise RuntimeError(f"{heading}: the page's heading was not sent")
                return time.perf_counter() - t

    rng = random.Random(n)
    async with websockets.connect(base.replace("http", "ws") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None) as ws:
        await request(ws, "", period, "Overview")
        await think(rng)
        for cycle in range(cycles):
            for i, (_, heading, filtered) in enumerate(NAV):
                page = PAGES[i]
                try:
                    times.append(await request(ws, page, period, heading))
                    await think(rng)
                    if filtered:
                        category = CATEGORIES[(n + cycle + i) % len(CATEGORIES)]
                        times.append(await request(ws, page, f"{period}&category={category}", heading))
                        await think(rng)
                except Exception as e:  # noqa: BLE001 (an error is a result here)
                    errors.append(f"session {n}, {heading}: {str(e).splitlines()[0][:160]}")


PAGES = ("", "week", "priorities", "funnel", "budget")  # the url paths of NAV's pages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--time-entries", type=int, default=5_000_000)
    ap.add_argument("--sessions", default="1,5,10,20")
    ap.add_argument("--cycles", type=int, default=2)
    ap.add_argument("--client", choices=("ws", "browser"), default="ws")
    ap.add_argument("--think", type=float, default=3.0, help="mean seconds a person reads a page before the next "
                    "action in the people pass (uniform from 0 to twice this)")
    ap.add_argument("--passes", default="people,back-to-back", help="which passes to run, in this order")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or Path(tmp.name) / "load.duckdb"
    if not db.exists():
        subprocess.run([sys.executable, "-m", "sales", "demo", "--db", str(db), "--leads", str(args.leads),
                        "--time-entries", str(args.time_entries)], cwd=ROOT, check=True, capture_output=True)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        leads, entries = con.execute("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM time_entries)"
                                     ).fetchall()[0]
    port = free_port()
    server = serve(db, port)
    print(f"store: {leads:,} leads, {entries:,} time entries; one server (pid {server.pid}); "
          f"{len(NAV)} dashboards x {args.cycles} cycles per session, {args.client} clients")
    ks = [int(k) for k in args.sessions.split(",")]
    try:
        for name in args.passes.split(","):
            THINK[0] = args.think if name == "people" else 0.0
            print(f"\n{name}: " + (f"reading each page {args.think:g} s on average" if THINK[0] else
                                   "each next page asked for the moment one is complete"), flush=True)
            results = asyncio.run(run(f"http://127.0.0.1:{port}", ks, args.cycles, server.pid, args.client))
            if name == "people" and 1 in results and 10 in results:
                print(f"p95 at K=10 / p95 at K=1: {results[10][1] / results[1][1]:.1f}x (goal <= 3x)")
            if name == "back-to-back" and results and args.client == "ws":  # browsers: the machine's limit
                rate = max(r[2] for r in results.values())
                print(f"capacity: {rate:.0f} pages per second with every query cached, so about "
                      f"{rate * args.think:.0f} people reading each page {args.think:g} s on average before pages wait")
    finally:
        server.terminate()
        server.wait(timeout=30)
        tmp.cleanup()


if __name__ == "__main__":
    main()
