"""``python -m bench [--quick]``: run the benchmarks, write bench/results.json and docs/performance.md.

``python -m bench load [--quick] [--database URL]``: the load benchmark alone (bench/load.py); its section of
bench/results.json is replaced, the rest kept, and docs/performance.md written again from the whole.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from . import imports

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TRACKER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AS_OF = "2025-12"  # the newest month of both scales' data: what the app opens on


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.system()}"


@contextmanager
def databases(workdir: Path):
    """``new(name)`` gives the URLs of an empty SQLite file and an empty PostgreSQL schema; all are removed after."""
    import sqlalchemy as sa

    from tracker.store.db import get_engine

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    schemas: list[str] = []
    urls: list[str] = []

    def new(name: str) -> dict[str, str]:
        schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'create schema "{schema}"'))
        schemas.append(schema)
        pair = {"sqlite": f"sqlite:///{workdir / (name + '.db')}",
                "postgresql": f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"}
        urls.extend(pair.values())
        return pair

    try:
        yield new
    finally:
        for url in urls:
            get_engine(url).dispose()
        with admin.connect() as conn:
            for schema in schemas:
                conn.execute(sa.text(f'drop schema if exists "{schema}" cascade'))
        admin.dispose()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(quick: bool) -> dict:
    from tracker import store
    from tracker.store.db import get_engine

    from . import browser, load, pages, progress, synthetic

    runs = 2 if quick else 5
    results: dict = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
                     "quick": quick, "as_of": AS_OF}
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        with databases(workdir) as new:
            sichuan = synthetic.sichuan()
            sichuan_urls = new("sichuan")
            results["progress"] = []
            # the smoke run keeps PostgreSQL for the national scale only: loading the demo through the ORM is slow
            for backend, url in list(sichuan_urls.items())[:1 if quick else 2]:
                engine = get_engine(url)
                n = synthetic.load_sichuan(engine, sichuan)
                log(f"sichuan on {backend}: {n} values loaded")
                row = progress.measure(engine, sichuan, AS_OF, runs, store.current_values(engine, sichuan.plan.id))
                results["progress"].append({"scale": "sichuan", "values": n, **row})
                log(f"  progress table {row['table_s'] * 1000:.0f} ms, bare SQL {row['bare_sql_s'] * 1000:.0f} ms")

            national = synthetic.national(300, 30, "2025-01") if quick else synthetic.national()
            values = synthetic.national_values(national.plan, national.tree, national.months)
            national_urls = new("national")
            for backend, url in national_urls.items():
                engine = get_engine(url)
                start = time.perf_counter()
                n = synthetic.load_values(engine, national, values)
                log(f"national on {backend}: {n} values loaded in {time.perf_counter() - start:.0f} s")
                row = progress.measure(engine, national, AS_OF, 2 if quick else 3, values, snapshot_runs=1)
                results["progress"].append({"scale": "national", "values": n, "counties": len(national.tree.level(
                    "county")), "targets": len(national.plan.targets), "months": len(national.months), **row})
                log(f"  progress table {row['table_s']:.2f} s, bare SQL {row['bare_sql_s']:.2f} s")
            del values

            results["imports"] = imports.run(quick)
            log("imports done")

            results["pages"] = pages.reruns(sichuan_urls["sqlite"], runs, pages.page_files()[:2] if quick else None)
            log("page reruns done")

            with browser.app(sichuan_urls["sqlite"]) as (base, pid):
                results["overview"] = browser.overview_times(base, 1 if quick else runs)
                log(f"overview in Chromium: {results['overview']}")
                if quick:  # the same server: the smoke run only checks that the memory probe runs
                    stats = browser.process_stats(pid)
                    results["memory"] = {"database": "sqlite", "scale": "sichuan", "paths": ["/"],
                                         "peak_mb": round(stats["peak_mb"], 1), "rss_mb": round(stats["rss_mb"], 1)}
            # the load over the websocket, no browser (bench/load.py), on servers of its own
            results["load"] = load.run(sichuan_urls["sqlite"], list(reversed(sichuan.months)), quick)

            if quick:  # a third app server for the national data would double the smoke run's time
                return results
            with browser.app(national_urls["postgresql"], national=True) as (base, pid):
                paths = ["/", f"/?as_of={national.months[-7]}", "/tasks", "/departments", "/redlist", "/regions"]
                visited = browser.visit(base, paths[:1] if quick else paths)
                stats = browser.process_stats(pid)
                results["memory"] = {"database": "postgresql", "paths": paths[:len(visited)],
                                     "render_s": [round(t, 2) for t in visited],
                                     "peak_mb": round(stats["peak_mb"], 1), "rss_mb": round(stats["rss_mb"], 1)}
                # then as an office browses: three more months (past the snapshots' budget), the data-quality page
                # (two months of every value) and a target's page (its values, every month)
                more = [f"/?as_of={national.months[i]}" for i in (-10, -13, -19)] + ["/quality", "/target"]
                stats = browser.process_stats(pid) if browser.visit(base, more) else stats
                results["memory"]["browsing"] = {"paths": more, "peak_mb": round(stats["peak_mb"], 1),
                                                 "rss_mb": round(stats["rss_mb"], 1)}
                log(f"national app memory: {results['memory']}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("only", nargs="?", choices=["load"], help="load: the load benchmark alone (bench/load.py)")
    parser.add_argument("--database", help="with load: the database to serve (default: the Sichuan benchmark data "
                        "in a new SQLite file)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, two runs each, a short load: a smoke test for CI (under a minute)")
    parser.add_argument("--out", help="default bench/results.json (load --quick: a temporary file, so a smoke run "
                        "never replaces the recorded figures)")
    args = parser.parse_args()
    if args.out is None:
        args.out = (str(Path(tempfile.mkdtemp(prefix="bench-")) / "results.json") if args.only and args.quick
                    else str(ROOT / "bench" / "results.json"))
    start = time.perf_counter()
    if args.only == "load":
        from . import load

        out = Path(args.out)
        results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "as_of": AS_OF}
        results["load"] = load.main(args.quick, args.database)
        results["load"]["when"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        results["load"]["machine"] = machine()
        results["load"]["duration_s"] = round(time.perf_counter() - start)
        args.quick = args.quick or results.get("quick", True)  # the report needs a full run's other sections
    else:
        results = run(args.quick)
        results["duration_s"] = round(time.perf_counter() - start)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"results written to {args.out}")
    from .report import aims, write_report

    for aim in aims(results):
        print(f"{aim['what']:<52} {aim['measured']:>12}   aim {aim['aim']:<22} {aim['verdict']}")
    if not args.quick:
        write_report(results, ROOT / "docs" / "performance.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
