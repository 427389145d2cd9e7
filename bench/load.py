"""``python -m bench load [--quick]``: the app server under load, measured over Streamlit's own websocket, no browser.

Each simulated session does what a browser tab does: it opens ``ws://HOST/_stcore/stream`` (subprotocol
``streamlit``; Streamlit reads the second and third entries of that header as an XSRF token and a session id to
resume, both empty here, so the server makes a new session; a client without an ``Origin`` header is let in and
sends no cookies, so it acts as whoever the app lets in without signing in), then sends
``BackMsg(rerun_script=ClientState(page_name=..., query_string=...))`` for each click and times it until the
``ForwardMsg.script_finished`` that ends the run (``FINISHED_EARLY_FOR_RERUN`` is not the end: ``st.rerun`` and
``st.switch_page`` start another run). A render counts as an error when a delta is an exception element or an
``st.error`` whose text says 页面出错 (ui.reported_errors), or when it does not finish in time; a page name the
app's menu does not have (``ForwardMsg.page_not_found``) counts as unknown.

The app adopts a link's plan, month and language once per session (ui.context.adopt_link), as a browser does when a
link is opened: an as-of change is a new session opened with the next month's link, which also exercises sessions
being opened and closed.

Reported: renders a second, p50/p95/max per page, errors, the server's CPU (100 % = one core) and resident memory.
The baseline, measured in the same run with the same client: a rerun of a one-line Streamlit script
(bench/floor_app.py) on a server of its own — Streamlit's own floor for a round trip.
"""
from __future__ import annotations

import asyncio
import math
import os
import random
import statistics
import time
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
PLAN = "sichuan-2023-citizenization"
#: The pages a session walks, by their url path. The overview is the default page whenever the link carries a
#: month (app.py: an ended plan opens on its evaluation only without one), and the default page's path is empty:
#: it is asked for as "" (PAGE_NAMES) and reported as "overview".
PAGES = ("overview", "completeness", "tasks", "departments", "redlist", "regions", "target", "milestones")
PAGE_NAMES = {"overview": ""}
ERROR_TEXT = "页面出错"
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


def query(month: str, plan: str = PLAN, lang: str = "zh") -> str:
    return f"plan={plan}&as_of={month}&lang={lang}"


# ---- the client ---------------------------------------------------------------------------------------------------

async def connect(base: str):
    """A new session on the server at ``base`` (http://host:port)."""
    from websockets.asyncio.client import connect as ws_connect

    url = base.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
    # max_size: a page's dataframes arrive as Arrow in one message; the server's own limit is 200 MB.
    return await ws_connect(url, subprotocols=["streamlit"], max_size=256 * 2**20, compression=None,
                            open_timeout=60, ping_interval=None)


def _check_element(element, found: list[str]) -> None:
    kind = element.WhichOneof("type")
    if kind == "exception":
        found.append(f"exception {element.exception.type}".strip())
    elif kind == "alert" and ERROR_TEXT in element.alert.body:
        found.append("page error " + element.alert.body[:60])


async def render(ws, page: str, query_string: str, timeout: float = 60.0) -> dict:
    """One click: ask for ``page`` with ``query_string`` and read the server's messages until the run ends.
    Returns page, seconds, errors (list of str), unknown (the menu has no such page)."""
    back = BackMsg()
    back.rerun_script.page_name = PAGE_NAMES.get(page, page)
    back.rerun_script.query_string = query_string
    back.rerun_script.context_info.locale = "zh-CN"
    back.rerun_script.context_info.timezone = "Asia/Shanghai"
    errors: list[str] = []
    unknown = False
    start = time.perf_counter()
    await ws.send(back.SerializeToString())
    deadline = start + timeout
    try:
        while True:
            data = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.perf_counter()))
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                _check_element(msg.delta.new_element, errors)
            elif kind == "page_not_found":
                unknown = True
            elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
                errors.append("script compilation exception")
            elif kind == "script_finished" and msg.script_finished in FINISHED:
                break
    except (asyncio.TimeoutError, TimeoutError):
        errors.append(f"no script_finished within {timeout:.0f} s")
    return {"page": page, "seconds": time.perf_counter() - start, "errors": errors, "unknown": unknown}


# ---- the server's process -----------------------------------------------------------------------------------------

def process_stats(pid: int) -> dict:
    """Resident memory (MB) and CPU seconds so far of the server process (psutil if installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        from .browser import process_stats as from_proc

        stats = from_proc(pid)
        return {"rss_mb": stats["rss_mb"], "cpu_s": stats["cpu_s"]}
    proc = psutil.Process(pid)
    with proc.oneshot():
        cpu = proc.cpu_times()
        return {"rss_mb": proc.memory_info().rss / 2**20, "cpu_s": cpu.user + cpu.system}


class Sampler:
    """The server's CPU share and resident memory over a stretch of time, sampled each ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.rss = pid, every, []

    async def __aenter__(self):
        self.before, self.start = process_stats(self.pid), time.perf_counter()
        self.task = asyncio.create_task(self._sample())
        return self

    async def _sample(self) -> None:
        while True:
            self.rss.append(process_stats(self.pid)["rss_mb"])
            await asyncio.sleep(self.every)

    async def __aexit__(self, *exc) -> None:
        self.task.cancel()
        self.after, self.wall = process_stats(self.pid), time.perf_counter() - self.start
        self.rss.append(self.after["rss_mb"])

    def summary(self) -> dict:
        return {"server_cpu_percent": round(100 * (self.after["cpu_s"] - self.before["cpu_s"]) / self.wall, 1),
                "server_rss_start_mb": round(self.before["rss_mb"], 1), "server_rss_max_mb": round(max(self.rss), 1),
                "server_rss_end_mb": round(self.after["rss_mb"], 1)}


# ---- the measures -------------------------------------------------------------------------------------------------

def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank


def summarise(records: list[dict]) -> dict:
    """renders, errors, unknown, p50/p95/max overall and per page (seconds)."""
    ok = [r for r in records if not r["errors"]]
    out = {"renders": len(ok), "errors": sum(1 for r in records if r["errors"]),
           "unknown": sum(1 for r in records if r["unknown"]),
           "error_examples": sorted({f"{r['page']}: {e}" for r in records for e in r["errors"]})[:5]}
    times = [r["seconds"] for r in ok]
    if times:
        out.update(p50_s=round(statistics.median(times), 4), p95_s=round(_p95(times), 4), max_s=round(max(times), 4))
    pages = {}
    for page in dict.fromkeys(r["page"] for r in records):
        mine = [r["seconds"] for r in ok if r["page"] == page]
        if mine:
            pages[page] = {"renders": len(mine), "p50_s": round(statistics.median(mine), 4),
                           "p95_s": round(_p95(mine), 4), "max_s": round(max(mine), 4),
                           "unknown": sum(1 for r in records if r["page"] == page and r["unknown"])}
    out["pages"] = pages
    return out


async def _user(base: str, index: int, months: list[str], pages: tuple[str, ...], end: float, think: float,
                records: list[dict], rng: random.Random, timeout: float) -> None:
    """One person: a link for a month opens a session, the pages are walked through the menu (starting at a page of
    its own, so the sessions do not move in step), a pause of about ``think`` seconds between clicks; then the link
    of the next month, in a new session; until ``end``."""
    step, round_ = index, 0
    while time.perf_counter() < end:
        month = months[(index + round_) % len(months)]
        q = query(month)
        try:
            ws = await connect(base)
        except Exception as exc:  # the server refusing a session is an error of the run
            records.append({"page": "(connect)", "seconds": 0.0, "errors": [type(exc).__name__], "unknown": False})
            await asyncio.sleep(1)
            continue
        try:
            for _ in range(len(pages)):
                if time.perf_counter() >= end:
                    break
                page = pages[step % len(pages)]
                step += 1
                try:
                    records.append(await render(ws, page, q, timeout))
                except Exception as exc:  # a dropped connection
                    records.append({"page": page, "seconds": 0.0, "errors": [type(exc).__name__], "unknown": False})
                    break
                if think:
                    await asyncio.sleep(min(rng.uniform(0.5, 1.5) * think, max(0.0, end - time.perf_counter())))
        finally:
            await ws.close()
        round_ += 1


def load(base: str, pid: int, months: list[str], sessions: int, seconds: float, think: float = 0.0,
         pages: tuple[str, ...] = PAGES, ramp: float | None = None, timeout: float = 60.0, seed: int = 1) -> dict:
    """``sessions`` people at once for ``seconds`` (their starts spread over ``ramp`` seconds, by default the think
    time, so that they do not all click at the same instant)."""
    records: list[dict] = []
    ramp = think if ramp is None else ramp

    async def run() -> Sampler:
        rng = random.Random(seed)
        end = time.perf_counter() + seconds

        async def delayed(i: int) -> None:
            await asyncio.sleep(rng.uniform(0, ramp) if ramp else 0)
            await _user(base, i, months, pages, end, think, records, random.Random(seed + i), timeout)

        async with Sampler(pid) as sampler:
            await asyncio.gather(*(delayed(i) for i in range(sessions)))
        return sampler

    sampler = asyncio.run(run())
    result = {"sessions": sessions, "seconds": seconds, "think_s": think, **summarise(records)}
    result["renders_per_s"] = round(result["renders"] / sampler.wall, 2)
    result.update(sampler.summary())
    return result


def per_page(base: str, month: str, runs: int, pages: tuple[str, ...] = PAGES) -> dict:
    """One session, nobody else: each page ``runs`` times in a row after one unmeasured render (warm caches)."""

    async def run() -> list[dict]:
        ws = await connect(base)
        records = []
        try:
            for page in pages:
                await render(ws, page, query(month))
                for _ in range(runs):
                    records.append(await render(ws, page, query(month)))
        finally:
            await ws.close()
        return records

    return summarise(asyncio.run(run()))


def first_render(base: str, month: str, page: str = "overview") -> dict:
    """A new session's first render (the time a link takes on the server)."""

    async def run() -> dict:
        start = time.perf_counter()
        ws = await connect(base)
        try:
            record = await render(ws, page, query(month), timeout=120)
        finally:
            await ws.close()
        record["seconds"] = time.perf_counter() - start  # the connection included
        return record

    return asyncio.run(run())


def churn(base: str, pid: int, month: str, sessions: int = 100, batch: int = 10, ttl: float = 0.0,
          rounds: int = 2) -> dict:
    """Memory that comes back: ``rounds`` times, ``sessions`` sessions opened, each drawing two pages, and closed
    (``batch`` at a time), after a warm-up round that fills every cache the pages use. Streamlit keeps a closed
    session for ``ttl`` seconds (``server.disconnectedSessionTTL``, for a tab to reconnect) and lets it go at the
    next session stored after that: so each round waits ``ttl`` + 2 s and opens one more session before the
    server's resident memory is read. The growth of the first round is what 100 visitors leave behind; that of the
    second, whether the memory they freed is used again (a leak grows every round)."""

    async def one(i: int) -> None:
        ws = await connect(base)
        try:
            for page in (PAGES[i % len(PAGES)], PAGES[(i + 3) % len(PAGES)]):
                await render(ws, page, query(month))
        finally:
            await ws.close()

    async def settled() -> float:
        await asyncio.sleep(ttl + 2)
        await one(0)
        await asyncio.sleep(1)
        return process_stats(pid)["rss_mb"]

    async def run() -> dict:
        await asyncio.gather(*(one(i) for i in range(batch)))
        before = start = await settled()
        peak, growth = before, []
        for _ in range(rounds):
            for first in range(0, sessions, batch):
                await asyncio.gather(*(one(i) for i in range(first, min(sessions, first + batch))))
                peak = max(peak, process_stats(pid)["rss_mb"])
            after = await settled()
            growth.append(round(after - before, 1))
            before = after
        return {"sessions": sessions, "session_ttl_s": ttl, "rss_before_mb": round(start, 1),
                "rss_peak_mb": round(peak, 1), "rss_after_mb": round(before, 1), "growth_mb": growth[0],
                "growth_per_round_mb": growth}

    return asyncio.run(run())


# ---- the run ------------------------------------------------------------------------------------------------------

def floor(runs: int) -> dict:
    """The baseline: a one-line script's rerun on its own server, same client."""
    from .browser import app

    with app("sqlite://", script="bench/floor_app.py") as (base, _pid):
        result = per_page(base, "2025-12", runs, pages=("",))
    return {"p50_s": result.get("p50_s"), "p95_s": result.get("p95_s"), "runs": runs}


def chromium_cold(database_url: str, runs: int = 3) -> dict:
    """What a person waits for on a freshly started server: the app's address opened in headless Chromium, until
    the page's title is drawn and the run has finished (bench/browser.py), then ``runs`` more in new contexts."""
    from pathlib import Path as _Path

    from .browser import CHROMIUM, app, overview_times

    if not _Path(CHROMIUM).exists():
        return {}
    with app(database_url) as (base, _pid):
        times = overview_times(base, runs)
    return {"chromium_first_s": times["cold_s"], "chromium_warm_s": times["warm_s"]}


def before(database_url: str, months: list[str], runs: int) -> dict:
    """The server as it was before issue 16's changes to how it runs (Streamlit's full collection after every run,
    Nagle's algorithm on its sockets, nothing warmed or frozen at start), same run, same client: one session per
    page, and 30 sessions with ~5 s think for 60 s. (The changes to the app's own code are in both.)"""
    from .browser import app

    os.environ["STREAMLIT_RUNNER_POST_SCRIPT_GC"] = "true"
    try:
        with app(database_url, flags=("--cold", "--nagle", "--no-freeze")) as (base, pid):
            first = first_render(base, months[0])
            one = per_page(base, months[0], runs)
            row = load(base, pid, months[:6], 30, 60, 5.0)
    finally:
        del os.environ["STREAMLIT_RUNNER_POST_SCRIPT_GC"]
    return {"first_render_s": round(first["seconds"], 3), "one_session": one, "load": row}


def run(database_url: str, months: list[str], quick: bool) -> dict:
    """The load section of bench/results.json: on a fresh server, the cold first render; one session per page;
    the loads; the memory churn. ``months``: newest first."""
    from .browser import app

    log = _log
    out: dict = {"database": database_url.split(":", 1)[0], "plan": PLAN, "as_of": months[0]}
    runs = 3 if quick else 10
    out["floor"] = floor(runs)
    log(f"floor (one-line script): p50 {out['floor']['p50_s'] * 1000:.1f} ms")
    with app(database_url) as (base, pid):
        first = first_render(base, months[0])
        out["cold"] = {"first_render_s": round(first["seconds"], 3), "errors": first["errors"],
                       "server_rss_mb": round(process_stats(pid)["rss_mb"], 1)}
        log(f"cold: first render on a fresh server {first['seconds']:.2f} s {first['errors'] or ''}")
        one = per_page(base, months[0], runs)
        out["one_session"] = one
        if out["floor"]["p50_s"]:
            for row in one["pages"].values():
                row["ratio_floor"] = round(row["p50_s"] / out["floor"]["p50_s"], 1)
        log("one session: " + ", ".join(f"{p} {r['p50_s'] * 1000:.0f} ms" for p, r in one["pages"].items()))
        loads = [(2, 5, 0.5)] if quick else [(30, 60, 5.0), (100, 90, 10.0)]
        out["loads"] = []
        for sessions, seconds, think in loads:
            row = load(base, pid, months[:6], sessions, seconds, think)
            out["loads"].append(row)
            log(f"{sessions} sessions, think {think} s: {row['renders']} renders ({row['renders_per_s']}/s), "
                f"p50 {row.get('p50_s')} s, p95 {row.get('p95_s')} s, max {row.get('max_s')} s, "
                f"{row['errors']} errors, CPU {row['server_cpu_percent']} %, RSS max {row['server_rss_max_mb']} MB")
    if not quick:
        out["cold"].update(chromium_cold(database_url))
        out["before"] = before(database_url, months, runs)
        log(f"before: {out['before']}")
    # on a server of its own that lets a closed session go after 5 s instead of 120 s, so that the measure waits
    # for its release and not for the default's two minutes
    ttl = 5
    with app(database_url, flags=(f"--session-ttl={ttl}",)) as (base, pid):
        out["churn"] = churn(base, pid, months[0], sessions=20 if quick else 100, ttl=ttl, rounds=1 if quick else 2)
        log(f"churn: {out['churn']}")
    if not quick:  # several processes behind nginx scale with cores (needs Debian's nginx: make deploy-deps)
        out["scaling"] = scaling(database_url, months)
    return out


def scaling(database_url: str, months: list[str], processes: tuple[int, ...] = (1, 2), sessions: int = 30,
            seconds: float = 30.0, think: float = 0.5, repeats: int = 3) -> dict:
    """Throughput with N app processes behind nginx (deploy/serve.py, the tested configuration) against one, in the
    same run: the same sessions, the same pages, a short pause, so that the servers are the bottleneck. Each
    session is one websocket, which nginx keeps on one process (a session without the route cookie gets one of
    its own); ``renders_per_s`` is over all processes. The counts of processes take turns ``repeats`` times and
    the ratio is of medians: on this shared machine one run of each gave ×1.57 and ×1.86 on the same code."""
    import os
    import tempfile

    from deploy import serve

    from .browser import _free_port

    out: dict = {"sessions": sessions, "seconds": seconds, "think_s": think, "repeats": repeats, "runs": []}
    for _ in range(repeats):
        for n in processes:
            ports = [_free_port() for _ in range(n)]
            proxy = _free_port()
            env = {**serve.app_environment(os.environ), "TRACKER_DATABASE_URL": database_url}
            with tempfile.TemporaryDirectory(prefix="bench-nginx-") as prefix, serve.apps(ports, env) as procs, \
                    serve.nginx(serve.render(ports, Path(prefix), listen=f"127.0.0.1:{proxy}"), Path(prefix),
                                url=f"http://127.0.0.1:{proxy}"):
                row = load(f"http://127.0.0.1:{proxy}", procs[0].pid, months[:6], sessions, seconds, think)
            row["processes"] = n
            out["runs"].append(row)
            _log(f"{n} process(es) behind nginx: {row['renders_per_s']} renders/s, p95 {row.get('p95_s')} s, "
                 f"{row['errors']} errors")
    medians = {n: statistics.median(r["renders_per_s"] for r in out["runs"] if r["processes"] == n)
               for n in processes}
    out["renders_per_s"] = {str(n): round(v, 2) for n, v in medians.items()}
    base = medians[processes[0]]
    out["ratio"] = {str(n): round(v / base, 2) if base else None for n, v in medians.items()}
    return out


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def demo_database(workdir: Path) -> tuple[str, list[str]]:
    """The Sichuan benchmark data (bench/synthetic.py) in a SQLite file: its URL and its months, newest first."""
    from tracker.store.db import get_engine

    from . import synthetic

    scale = synthetic.sichuan()
    url = f"sqlite:///{workdir / 'load.db'}"
    synthetic.load_sichuan(get_engine(url), scale)
    get_engine(url).dispose()
    return url, list(reversed(scale.months))


def main(quick: bool, database_url: str | None = None) -> dict:
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        if database_url is None:
            database_url, months = demo_database(workdir)
        else:
            from tracker import store
            from tracker.store.db import get_engine

            months = list(reversed(store.reported_months(get_engine(database_url), PLAN)))
        return run(database_url, months, quick)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)

