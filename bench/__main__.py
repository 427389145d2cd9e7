"""``python -m bench [--quick]``: run the benchmarks, write bench/results.json and docs/performance.md."""
from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

from . import imports

ROOT = Path(__file__).resolve().parent.parent


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


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, two runs each: a smoke test for CI")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    results = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
               "quick": args.quick, "imports": imports.run(args.quick)}
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for row in results["imports"]:
        print(f"{row['case']:<24} import {row['import_s'] * 1000:8.1f} ms   calamine read {row['bare_read_s'] * 1000:6.1f} ms"
              f" (×{row['ratio']})   openpyxl read {row['bare_read_openpyxl_s'] * 1000:7.1f} ms"
              f" (×{row['ratio_openpyxl']})   {row['values']} values, median of {row['runs']}")
    if not args.quick:
        write_report(results)
    return 0


def write_report(results: dict) -> None:
    lines = [
        "# Performance",
        "",
        f"Measured {results['when']} on {results['machine']} with `python -m bench`.",
        "Times are medians; each ratio compares with a baseline run in the same process.",
        "",
        "## Import of a county return (`bench/imports.py`)",
        "",
        "Import = read the workbook (python-calamine for cell values, the sheet XML scanned for formulas without a "
        "cached value), find the table, validate every cell, check each county against its history, apply the "
        "plan's validation rules, write one transaction to SQLite. Two baselines read the same file in the same "
        "process: python-calamine (the library the reader uses for values; Rust, about 1 ms) and openpyxl "
        "(read-only, cached values: the usual pure-Python read).",
        "",
        "| case | values | import (ms) | calamine read (ms) | ratio | openpyxl read (ms) | ratio | aim |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    aims = {"sichuan-183-counties": "< 1 s, ratio < 3", "national-2850-rows": "< 3 s, ratio < 3"}
    for row in results["imports"]:
        lines.append(f"| {row['case']} | {row['values']} | {row['import_s'] * 1000:.0f} | "
                     f"{row['bare_read_s'] * 1000:.1f} | {row['ratio']:.0f} | {row['bare_read_openpyxl_s'] * 1000:.0f} | "
                     f"{row['ratio_openpyxl']:.2f} | {aims.get(row['case'], '')} |")
    limits = {"sichuan-183-counties": 1.0, "national-2850-rows": 3.0}
    verdicts = []
    for row in results["imports"]:
        limit = limits.get(row["case"])
        if limit is None:
            continue
        verdicts.append(f"{row['case']}: {row['import_s']:.2f} s against {limit:.0f} s "
                        f"({'met' if row['import_s'] < limit else 'MISSED'}); ratio {row['ratio_openpyxl']:.2f} "
                        f"against openpyxl ({'met' if row['ratio_openpyxl'] < 3 else 'missed'}), "
                        f"{row['ratio']:.0f} against calamine (missed).")
    lines += ["", *[f"- {v}" for v in verdicts], "",
              "The ratio aim cannot be met against calamine: reading a cell in Rust costs nanoseconds, while "
              "validating it, checking it against the county's history and the plan's rules, and writing it in a "
              "transaction costs microseconds in Python and SQLite. Profiles (cProfile) showed where the time went "
              "and what was fixed: the openpyxl pass that found formula cells (now a scan of the sheet XML), one "
              "history query per prefecture with a long IN list (now one query with a subquery), ORM bookkeeping "
              "on insert (now a Core executemany), repeated normalising and parsing of names, rule expressions and "
              "cell references (now cached). What remains is per-cell Python work (finding the county, parsing "
              "the number, the history comparison), about 20 µs a value."]
    (ROOT / "docs" / "performance.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
