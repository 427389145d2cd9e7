"""What reading costs, measured: the sandbox's start-up, and each hostile file's time and peak memory.

    python -m tests.hostile_costs

Prints a table (Markdown) for issue #13 and for loaders/sandbox.py's docstring. "child" is the sandbox's process
(its peak as it reported it; a child killed at a limit reports nothing), "in-process" is ``read_workbook`` in
this process (peak = growth of this process's VmHWM, reset before each read). Machine load is printed first:
on a shared 2-core machine the wall times move with it.
"""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from loaders import sandbox
from loaders.workbooks import UnreadableFile, read_workbook
from tests import hostile_files as h
from tests.hostile_files import DOCX, HOSTILE


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _child(kind: str, data: bytes, name: str) -> tuple[sandbox._Run, str]:
    run = sandbox.run_child(kind, data, name, memory_mb=sandbox.READ_MEMORY_MB, cpu_seconds=sandbox.READ_SECONDS,
                            wall_seconds=sandbox.READ_SECONDS)
    try:
        build = sandbox._build_workbook if kind == "workbook" else sandbox._build_text
        sandbox._answer_as(build, sandbox._verdict(run, sandbox.READ_MEMORY_MB, sandbox.READ_SECONDS,
                                                     sandbox.READ_SECONDS), name)
        return run, "read"
    except UnreadableFile as exc:
        return run, exc.code


def _in_process(data: bytes, name: str) -> tuple[float, float, str]:
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    try:
        read_workbook(data, name)
        outcome = "read"
    except UnreadableFile as exc:
        outcome = exc.code
    return time.perf_counter() - started, (_status_kb("VmHWM") - before) / 1024, outcome


def startup() -> None:
    tiny = "县（市、区）,人数\n涪城区,1\n".encode()
    walls = [_child("workbook", tiny, "tiny.csv")[0].wall_seconds for _ in range(10)]
    docx = [_child("docx", h.plan_docx(), "plan.docx")[0].wall_seconds for _ in range(5)]
    print(f"child start-up, tiny CSV: min {min(walls) * 1000:.0f} ms, median {statistics.median(walls) * 1000:.0f} ms")
    print(f"child start-up, small .docx: min {min(docx) * 1000:.0f} ms, median {statistics.median(docx) * 1000:.0f} ms")
    control = h.control_workbook()
    through = [_child("workbook", control, "t.xlsx")[0].wall_seconds for _ in range(5)]
    direct = [_in_process(control, "t.xlsx")[0] for _ in range(5)]
    print(f"filled template: sandbox median {statistics.median(through) * 1000:.0f} ms, "
          f"in-process median {statistics.median(direct) * 1000:.0f} ms")


def table() -> None:
    print("| file | size | code | child wall | child CPU | child peak | in-process | in-process peak |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for case in HOSTILE + DOCX:
        data = case.make()
        kind = "docx" if case.name.endswith(".docx") else "workbook"
        run, outcome = _child(kind, data, case.name)
        peak = f"{run.peak_mb:.0f} MB" if run.peak_mb is not None else f"killed ({run.returncode})"
        if case.in_process and kind == "workbook":
            seconds, grown, direct = _in_process(data, case.name)
            local = f"{seconds:.2f} s" + ("" if direct == outcome else f" ({direct})")
            local_peak = f"+{max(grown, 0):.0f} MB"
        else:
            local, local_peak = "—", "—"
        print(f"| {case.id} | {len(data) / 1024:.0f} KB | {outcome} | {run.wall_seconds:.2f} s | "
              f"{run.cpu_seconds:.2f} s | {peak} | {local} | {local_peak} |")


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    startup()
    table()
