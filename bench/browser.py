"""The real app in its own process, driven by Debian's headless Chromium: time until a page has rendered, the app
process's peak memory and CPU time, and ten sessions at once."""
from __future__ import annotations

import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
#: Rendered: the page's title is drawn and the script has finished (every dashboard page starts with a title).
RENDERED = '[data-testid="stMain"] h1'
#: What a page shows when it fails: Streamlit's exception element, or the app's own notice (ui/context.py).
FAILED = '[data-testid="stException"], [data-testid="stAlert"]:has-text("页面出错")'
#: The pages the load test walks through (url paths; "" is the overview).
WALK = ("", "completeness", "tasks", "departments", "redlist", "regions", "target", "milestones")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app(database_url: str, national: bool = False, script: str | None = None, flags: tuple[str, ...] = ()):
    """``streamlit run app.py`` (through bench.serve; ``script``: another one; ``flags``: bench.serve's) on a free
    port; yields (url, pid)."""
    port = _free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-streamlit-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "bench.serve", str(port), database_url,
                             *(["--national"] if national else []), *([f"--script={script}"] if script else []), *flags],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read().strip() == b"ok":
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"the app did not start; see {log.name}")
                time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def process_stats(pid: int) -> dict:
    """Resident and peak resident memory (MB) and CPU seconds used so far by a process."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return {"rss_mb": int(status["VmRSS"].split()[0]) / 1024, "peak_mb": int(status["VmHWM"].split()[0]) / 1024,
            "cpu_s": (int(fields[11]) + int(fields[12])) / ticks}


def machine_cpu() -> tuple[int, int]:
    """(all, idle) CPU ticks of the whole machine so far, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]  # idle and waiting for I/O


def _rendered(page, url: str, timeout_ms: int = 60_000) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(RENDERED, timeout=timeout_ms)
    page.wait_for_selector(READY, timeout=timeout_ms)
    return time.perf_counter() - start


def overview_times(base: str, runs: int) -> dict:
    """The overview in a fresh browser context: the first time on a freshly started server (cold: nothing cached
    by the app), then ``runs`` more, each in a new context (warm: the app's caches filled, the browser's not)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            times = []
            for _ in range(runs + 1):
                context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
                times.append(_rendered(context.new_page(), base + "/"))
                context.close()
        finally:
            browser.close()
    return {"cold_s": round(times[0], 3), "warm_s": round(statistics.median(times[1:]), 3), "runs": runs}


def visit(base: str, paths: list[str]) -> list[float]:
    """Open each path in turn in one browser page; the time each took to render. A page that shows an error
    stops the run: a page that failed half-way has not built what it would have, and its memory or time would be
    reported for a page that was never drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
            times = []
            for path in paths:
                times.append(_rendered(page, base + path, 120_000))
                if page.locator(FAILED).count():
                    raise RuntimeError(f"{path}: the page shows an error: {page.locator(FAILED).first.inner_text()}")
            return times
        finally:
            browser.close()


async def _wait_rendered(page, previous_title: str | None = None, timeout_ms: int = 30_000) -> None:
    """Until the script has finished and a title is drawn; after a click in the menu, until the title is no longer
    the previous page's. (Waiting first for the running state to show would add its timeout whenever the run ended
    before it was seen.)"""
    if previous_title is not None:
        await page.wait_for_function(
            """([selector, previous]) => {
                const title = document.querySelector(selector);
                return title !== null && title.innerText !== previous;
            }""", arg=[RENDERED, previous_title], timeout=timeout_ms)
    await page.wait_for_selector(RENDERED, timeout=timeout_ms)
    await page.wait_for_selector(READY, timeout=timeout_ms)


async def _session(browser, base: str, months: list[str], seconds: float, index: int, times: list, errors: list):
    """One user: opens a link for a month, then walks the pages through the sidebar's menu (no reload), and again
    with the next month, until ``seconds`` have passed."""
    context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = await context.new_page()
    step = index
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        path = WALK[step % len(WALK)]
        month = months[(step // len(WALK) + index) % len(months)]
        start = time.perf_counter()
        try:
            if step == index or step % len(WALK) == 0:  # a new month: a link carrying it
                await page.goto(f"{base}/{path}?as_of={month}")
                await _wait_rendered(page)
            else:
                title = await page.locator(RENDERED).first.inner_text()
                start = time.perf_counter()
                await page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click(timeout=30_000)
                await _wait_rendered(page, title)
            if await page.locator('[data-testid="stException"]').count():
                errors.append(f"{path} {month}: exception shown")
            times.append(time.perf_counter() - start)
        except Exception as exc:  # a timeout or a broken page is an error of the run, not of the benchmark
            errors.append(f"{path} {month}: {type(exc).__name__}")
        step += 1
    await context.close()


def load(base: str, pid: int, months: list[str], sessions: int = 10, seconds: float = 60.0) -> dict:
    """``sessions`` browser pages in one headless Chromium, each walking pages and months for ``seconds``."""
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    samples: list[dict] = []

    async def run() -> None:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                async def sample() -> None:
                    while True:
                        samples.append(process_stats(pid))
                        await asyncio.sleep(1)

                sampler = asyncio.create_task(sample())
                await asyncio.gather(*(_session(browser, base, months, seconds, i, times, errors)
                                       for i in range(sessions)))
                sampler.cancel()
            finally:
                await browser.close()

    before, machine_before = process_stats(pid), machine_cpu()
    start = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - start
    after, machine_after = process_stats(pid), machine_cpu()
    busy = 1 - (machine_after[1] - machine_before[1]) / max(1, machine_after[0] - machine_before[0])
    ordered = sorted(times)
    return {
        "sessions": sessions, "seconds": seconds, "renders": len(times), "errors": len(errors),
        "error_examples": errors[:5],
        "p50_s": round(statistics.median(ordered), 3) if ordered else None,
        "p95_s": round(ordered[math.ceil(0.95 * len(ordered)) - 1], 3) if ordered else None,  # nearest rank
        "app_cpu_percent": round(100 * (after["cpu_s"] - before["cpu_s"]) / wall, 1),
        # the whole machine's use (100 % = both cores): with the app's share, who is the bottleneck
        "machine_busy_percent": round(100 * busy, 1),
        "app_rss_max_mb": round(max(s["rss_mb"] for s in samples), 1) if samples else None,
        "app_peak_mb": round(after["peak_mb"], 1),
    }
