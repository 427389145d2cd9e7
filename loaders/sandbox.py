"""Reading an upload in a child process with hard limits, so that no file can freeze, crash or exhaust the server.

The readers bound what they can see coming (``loaders.workbooks``, ``loaders.sheetscan``, ``loaders.ooxml``:
sizes, cells, XML); this module bounds what they cannot — a parser bug, a Rust panic or abort, an allocation
nobody predicted (calamine copies a shared string into every cell that uses it), a pathological input that is
merely slow. The worst any file can do here is cost one child process its limits.

API — the same as the in-process readers, plus keyword limits::

    from loaders.sandbox import read_workbook_limited, read_docx_text_limited

    book = read_workbook_limited(data, file_name)            # -> Workbook, like read_workbook(data, file_name)
    text = read_docx_text_limited(data, file_name)           # -> str, the plan text of a .docx
    read_workbook_limited(data, name, memory_mb=256, cpu_seconds=5, wall_seconds=10)

Both raise ``UnreadableFile(code, **params)`` (``loaders.workbooks.UnreadableFile``), the codes being problem codes
of tracker/problems.py: the readers' own (``unreadable_file``, ``file_too_large``, ``archive_bomb``,
``sheet_too_large``, ``too_many_cells``, ``too_many_sheets``, ``too_much_text``) and the sandbox's: ``too_slow``
(CPU or wall time used up), ``too_much_memory`` (the memory limit hit, or an answer too large to hand back),
``reader_busy`` (every reading slot taken for longer than the wait). A caller switching over changes one name::

    try:
        book = read_workbook_limited(data, file_name)
    except UnreadableFile as exc:
        problems = [Problem(exc.code, params=exc.params)]

Defaults come from the environment when the module is imported: ``TRACKER_READ_MEMORY_MB`` (512: address space
of the child, far above what a real return needs, ~25 MB), ``TRACKER_READ_SECONDS`` (20: CPU seconds and wall
seconds alike; a real return reads in a fraction of a second), ``TRACKER_READ_CONCURRENCY`` (2 children at
once, one per core: more would only share the cores and multiply the memory), ``TRACKER_READ_OUTPUT_MB`` (64:
the largest answer accepted; 2 million numbers are ~17 MB of JSON). The file-format limits (``MAX_CELLS`` …) are
the parent's ``loaders.workbooks`` attributes, sent to the child with the request.

How:

* The parent starts ``python -E -s -m loaders.sandbox --memory-mb N --cpu-seconds N`` (not ``fork``: forking a
  threaded server copies its locks in whatever state they are; not ``preexec_fn``, which is unsafe with threads)
  in the directory that holds ``loaders``, with an environment of ``PATH`` and a locale only — no database URL
  or other secret reaches the code that parses hostile bytes.
* The child's first act is ``resource.setrlimit``: ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` (soft: SIGXCPU, hard
  one second later: SIGKILL), ``RLIMIT_CORE`` 0. Only then does it read the request (one JSON line, then the
  file's bytes) from stdin and import the readers (calamine, lxml; python-docx for a .docx; never pandas).
* It answers on stdout in records, one JSON array per line: the workbook's meta, sheets and rows (dates tagged,
  see ``_encode``), or the text, or a refusal; then its peak memory. JSON rather than pickle, because the child
  is the side that parsed hostile bytes: unpickling its answer would let a subverted child run code in the
  server. One line per row, because the parent decodes line by line and can switch threads in between.
* The parent waits in ``select`` (the GIL is released: other Streamlit sessions keep being served), feeding stdin
  and draining stdout and stderr, kills the child at the wall deadline, reaps it with ``wait4`` (its CPU time
  comes back with it; its peak memory it reports itself) and turns the way it ended into a refusal: killed at the deadline or by
  SIGXCPU → ``too_slow``; MemoryError, a Rust "memory allocation … failed" abort or SIGKILL without the CPU
  time used up (the kernel's OOM killer) → ``too_much_memory``; any other death → ``unreadable_file``.

Measured cost (``python -m tests.hostile_costs``; 2 cores, Python 3.11, a machine shared with other work, load
average 4–5): a child that starts, imports calamine and answers a tiny CSV takes 65–130 ms of wall time (about
30 ms of it is Python's own start-up) and peaks at ~20 MB (lxml adds ~6 MB when an .xlsx needs it); a .docx
child 170–390 ms (python-docx's imports). The filled template reads in 95–115 ms through the sandbox against
2–4 ms in-process: the price of an upload is one process start. Every hostile file of tests/hostile_files.py
is refused in 0.06–0.5 s of wall time, the child peaking at 17–62 MB (the far-corner .xls, the one file only the
memory limit stops, dies of its own ``RLIMIT_AS`` abort after 0.06 s). The largest workbook the defaults accept,
1.95 million numbers, reads in ~6 s of child CPU at a 210 MB peak; its 17 MB answer decodes in ~0.45 s in the
parent, a row at a time.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import resource
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from .errors import UnreadableFile, reraise_fatal

if TYPE_CHECKING:
    from .workbooks import Workbook

_log = logging.getLogger(__name__)
T = TypeVar("T")


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


READ_MEMORY_MB = _env_int("TRACKER_READ_MEMORY_MB", 512)
READ_SECONDS = _env_int("TRACKER_READ_SECONDS", 20)
READ_CONCURRENCY = max(1, _env_int("TRACKER_READ_CONCURRENCY", 2))
READ_OUTPUT_MB = _env_int("TRACKER_READ_OUTPUT_MB", 64)
#: How long a read waits for a free slot before it is refused as ``reader_busy``.
QUEUE_SECONDS = 60
#: The readers' limits that travel with a request (attributes of ``loaders.workbooks``).
FORWARDED_LIMITS = ("MAX_UPLOAD_MB", "MAX_UNZIPPED_MB", "MAX_RATIO", "MAX_CELLS", "MAX_ROWS", "MAX_COLUMNS",
                    "MAX_SHEETS", "MAX_TEXT_CHARS")
#: Codes a child may answer with; anything else from it is treated as damage.
READER_CODES = frozenset({"unreadable_file", "unsupported_format", "file_too_large", "archive_bomb",
                          "sheet_too_large", "too_many_cells", "too_many_sheets", "too_much_text", "too_slow",
                          "too_much_memory"})

_ROOT = Path(__file__).resolve().parent.parent  # the directory holding the ``loaders`` package
_slots = threading.BoundedSemaphore(READ_CONCURRENCY)


# ----------------------------------------------------------------------------------------------- parent side

def read_workbook_limited(data: bytes, file_name: str, *, memory_mb: int | None = None,
                          cpu_seconds: int | None = None, wall_seconds: float | None = None) -> Workbook:
    """``read_workbook(data, file_name)`` in a child process with memory, CPU and wall-time limits."""
    from . import workbooks

    if len(data) > workbooks.MAX_UPLOAD_MB * 1024 * 1024:  # not even worth a process
        raise UnreadableFile("file_too_large", size=f"{len(data) / 1024 / 1024:.1f}", limit=workbooks.MAX_UPLOAD_MB)
    records = _read_limited("workbook", data, file_name, memory_mb, cpu_seconds, wall_seconds)
    return _answer_as(_build_workbook, records, file_name)


def read_docx_text_limited(data: bytes, file_name: str = "", *, memory_mb: int | None = None,
                           cpu_seconds: int | None = None, wall_seconds: float | None = None) -> str:
    """The plan text of a .docx (``loaders.documents.docx_text``), read in a child process with limits."""
    from . import workbooks

    if len(data) > workbooks.MAX_UNZIPPED_MB * 1024 * 1024:
        raise UnreadableFile("file_too_large", size=f"{len(data) / 1024 / 1024:.1f}",
                             limit=workbooks.MAX_UNZIPPED_MB)
    records = _read_limited("docx", data, file_name, memory_mb, cpu_seconds, wall_seconds)
    return _answer_as(_build_text, records, file_name)


def _answer_as(build: Callable[[Iterator[list], str], T], records: Iterator[list], file_name: str) -> T:
    """The answer built from the child's records; a refusal among them is raised as it is, anything malformed
    becomes ``unreadable_file`` (a child that answers nonsense was subverted or broke)."""
    try:
        return build(records, file_name)
    except UnreadableFile:
        raise
    except BaseException as exc:
        reraise_fatal(exc)
        _log.warning("sandbox answer for %r is malformed", file_name, exc_info=True)
        raise UnreadableFile("unreadable_file", detail="读取结果无法识别") from exc


@dataclass
class _Run:
    """How a child ended."""

    output: bytes
    errors: str  # the end of its stderr
    returncode: int | None
    cpu_seconds: float  # user + system
    wall_seconds: float
    timed_out: bool = False
    output_too_large: bool = False

    @property
    def peak_mb(self) -> float | None:
        """The child's peak resident memory as it reported it at the end (a killed child reports nothing)."""
        last = self.output[-200:].rstrip(b"\n").rsplit(b"\n", 1)[-1]
        if self.returncode != 0 or not last.startswith(b'["end",'):
            return None
        try:
            return int(json.loads(last)[1]["peak_kb"]) / 1024
        except (ValueError, KeyError, IndexError, TypeError):
            return None


def _read_limited(kind: str, data: bytes, file_name: str, memory_mb: int | None, cpu_seconds: int | None,
                  wall_seconds: float | None) -> Iterator[list]:
    memory_mb = memory_mb or READ_MEMORY_MB
    cpu_seconds = cpu_seconds or READ_SECONDS
    wall_seconds = wall_seconds or READ_SECONDS
    if not _slots.acquire(timeout=QUEUE_SECONDS):  # waits without the GIL
        raise UnreadableFile("reader_busy")
    try:
        run = run_child(kind, data, file_name, memory_mb=memory_mb, cpu_seconds=cpu_seconds,
                        wall_seconds=wall_seconds)
    finally:
        _slots.release()
    _log.info("sandbox %s %r: %.2f s wall, %.2f s CPU, peak %s MB, exit %s", kind, file_name, run.wall_seconds,
              run.cpu_seconds, run.peak_mb, run.returncode)
    return _verdict(run, memory_mb, cpu_seconds, wall_seconds)


def _child_command(memory_mb: int, cpu_seconds: int) -> list[str]:
    # -E: no PYTHON* variables (PYTHONPATH, PYTHONSTARTUP) steer the child; -s: no user site-packages.
    return [sys.executable, "-E", "-s", "-m", "loaders.sandbox", "--memory-mb", str(memory_mb),
            "--cpu-seconds", str(cpu_seconds)]


def _child_environment() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


def run_child(kind: str, data: bytes, file_name: str, *, memory_mb: int, cpu_seconds: int,
              wall_seconds: float) -> _Run:
    """Run one request in a fresh child and report how it ended (no interpretation: see ``_verdict``)."""
    from . import workbooks

    header = {"kind": kind, "file_name": file_name,
              "limits": {name: getattr(workbooks, name) for name in FORWARDED_LIMITS}}
    payload = json.dumps(header, ensure_ascii=True).encode() + b"\n" + data
    started = time.monotonic()
    deadline = started + wall_seconds
    proc = subprocess.Popen(_child_command(memory_mb, cpu_seconds), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=_ROOT, env=_child_environment(), close_fds=True)
    try:
        output, errors, timed_out, too_large = _exchange(proc, payload, deadline, READ_OUTPUT_MB * 1024 * 1024)
        if timed_out or too_large:
            _kill(proc)
        status, usage = _reap(proc, deadline)
    finally:
        if proc.returncode is None:  # an exception on our side: never leave a child behind
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    if status is None:  # still running at the deadline after its pipes closed
        timed_out = True
    return _Run(output=bytes(output), errors=errors.decode("utf-8", "replace"), returncode=proc.returncode,
                cpu_seconds=usage.ru_utime + usage.ru_stime if usage else 0.0, wall_seconds=time.monotonic() - started,
                timed_out=timed_out, output_too_large=too_large)


def _exchange(proc: subprocess.Popen, payload: bytes, deadline: float,
              max_output: int) -> tuple[bytearray, bytearray, bool, bool]:
    """Feed stdin and drain stdout/stderr until the child closes them, the deadline passes (→ timed out) or the
    answer outgrows ``max_output`` (→ too large). Every wait is ``select``, which releases the GIL."""
    output, errors = bytearray(), bytearray()
    view, sent = memoryview(payload), 0
    os.set_blocking(proc.stdin.fileno(), False)
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdin, selectors.EVENT_WRITE)
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stderr, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return output, errors, True, False
            for key, _events in selector.select(remaining):
                if key.fileobj is proc.stdin:
                    try:
                        sent += os.write(key.fd, view[sent:sent + 256 * 1024])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # the child died before reading everything
                        sent = len(view)
                    if sent >= len(view):
                        selector.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                chunk = os.read(key.fd, 256 * 1024)
                if not chunk:
                    selector.unregister(key.fileobj)
                elif key.fileobj is proc.stdout:
                    output += chunk
                    if len(output) > max_output:
                        return output, errors, False, True
                else:
                    errors += chunk
                    del errors[:-8192]  # the end is what tells why it died
    return output, errors, False, False


def _reap(proc: subprocess.Popen, deadline: float) -> tuple[int | None, resource.struct_rusage | None]:
    """Collect the child with ``wait4`` (for its CPU time and peak memory), killing it if it outlives the
    deadline with its pipes closed. Polls every few milliseconds: the child is normally gone already."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
            return status, usage
        if time.monotonic() > deadline:
            _kill(proc)
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return None, usage
        time.sleep(0.002)


def _kill(proc: subprocess.Popen) -> None:
    # os.kill, not Popen.kill: Popen.kill polls first and might reap the child, whose rusage ``_reap`` wants. The
    # pid cannot have been reused: the child is not reaped yet.
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _verdict(run: _Run, memory_mb: int, cpu_seconds: int, wall_seconds: float) -> Iterator[list]:
    """The child's answer as records, or the refusal its death amounts to."""
    if run.timed_out:
        raise UnreadableFile("too_slow", seconds=_seconds(wall_seconds))
    if run.output_too_large:
        raise UnreadableFile("too_much_memory", limit=memory_mb)
    if run.returncode == 0 and run.output:
        return _records(run.output)
    if run.returncode == -signal.SIGXCPU or (run.returncode == -signal.SIGKILL and
                                              run.cpu_seconds >= cpu_seconds - 0.1):
        raise UnreadableFile("too_slow", seconds=_seconds(cpu_seconds))
    out_of_memory = ("memory allocation of" in run.errors or "MemoryError" in run.errors
                     or "Cannot allocate memory" in run.errors)
    if out_of_memory or run.returncode == -signal.SIGKILL:  # SIGKILL without the CPU used up: the OOM killer
        raise UnreadableFile("too_much_memory", limit=memory_mb)
    _log.warning("sandbox child ended with %s: %s", run.returncode, run.errors[-2000:])
    raise UnreadableFile("unreadable_file", detail="读取程序意外终止，文件可能已损坏或是恶意文件")


def _records(output: bytes) -> Iterator[list]:
    """The answer's records, one JSON array per line. Decoded one line at a time, so that the interpreter can
    switch threads between lines: a 2-million-cell answer never holds the GIL for more than one row."""
    ended = False
    for line in io.BytesIO(output):
        record = json.loads(line.decode("utf-8", "surrogatepass"), object_hook=_decode_value)
        if not isinstance(record, list) or not record or ended:
            raise ValueError("not a record, or a record after the end")
        if record[0] == "refused":
            raise _refusal(record[1] if len(record) > 1 else None)
        if record[0] == "end":
            ended = True
            continue
        yield record
    if not ended:
        raise ValueError("the answer stops before its end")


def _seconds(value: float) -> str:
    return f"{value:g}"


def _refusal(refused: object) -> UnreadableFile:
    """A refusal as the child sent it, if it is one the readers can make; a child that says anything else is
    treated as one that was subverted or broke."""
    if isinstance(refused, dict) and refused.get("code") in READER_CODES and isinstance(refused.get("params"), dict):
        params = refused["params"]
        if all(isinstance(k, str) and isinstance(v, (str, int, float)) for k, v in params.items()):
            return UnreadableFile(refused["code"], **params)
    return UnreadableFile("unreadable_file", detail="读取结果无法识别")


def _build_workbook(records: Iterator[list], file_name: str) -> Workbook:
    from .workbooks import Sheet, Workbook

    sheets: list[Sheet] = []
    meta: dict[str, str] = {}
    for tag, *fields in records:
        if tag == "sheet":
            sheets.append(Sheet(name=str(fields[0]), rows=[], hidden=bool(fields[1])))
        elif tag == "r" and isinstance(fields[0], list):
            sheets[-1].rows.append(fields[0])
        elif tag == "merged":
            sheets[-1].merged.extend((int(a), int(b), int(c), int(d)) for a, b, c, d in fields[0])
        elif tag == "formulas":
            sheets[-1].formulas_without_value.update((int(r), int(c)) for r, c in fields[0])
        elif tag == "meta":
            meta[str(fields[0])] = str(fields[1])
        else:
            raise ValueError(f"unexpected record {tag!r}")
    return Workbook(file_name=file_name, sheets=sheets, meta=meta)


def _build_text(records: Iterator[list], _file_name: str) -> str:
    texts = [fields[0] for tag, *fields in records if tag == "text"]
    if len(texts) != 1 or not isinstance(texts[0], str):
        raise ValueError("no text in the answer")
    return texts[0]


# ----------------------------------------------------------------------------------------------- values on the wire

_TAG = "$t"  # only a cell value is ever a JSON object with this key (the meta sheet travels as pairs)


def _encode(value: object) -> dict:
    """``json.dumps(default=…)``: the cell values JSON has no type for, tagged."""
    if isinstance(value, datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, clock):
        return {_TAG: "time", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {_TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    raise TypeError(f"cannot send a {type(value).__name__}")


def _decode_value(obj: dict) -> object:
    kind = obj.get(_TAG)
    if kind is None:
        return obj
    value = obj["v"]
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return clock.fromisoformat(value)
    if kind == "timedelta":
        return timedelta(days=value[0], seconds=value[1], microseconds=value[2])
    raise ValueError(f"unknown value tag {kind!r}")


def _workbook_records(book: Workbook) -> Iterator[list]:
    """The records of a workbook: its meta, then per sheet its header, its rows, its merged ranges and its
    formulas without value (both in chunks, so no line is huge)."""
    for key, value in book.meta.items():
        yield ["meta", key, value]
    for sheet in book.sheets:
        yield ["sheet", sheet.name, sheet.hidden]
        for row in sheet.rows:
            yield ["r", row]
        for at in range(0, len(sheet.merged), 1000):
            yield ["merged", sheet.merged[at:at + 1000]]
        formulas = sorted(sheet.formulas_without_value)
        for at in range(0, len(formulas), 1000):
            yield ["formulas", formulas[at:at + 1000]]


# ----------------------------------------------------------------------------------------------- child side

def _limit_self(memory_mb: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _serve(header: dict, data: bytes) -> Iterator[list]:
    from . import workbooks

    for name, value in header.get("limits", {}).items():
        if name in FORWARDED_LIMITS and isinstance(value, int):
            setattr(workbooks, name, value)
    if header.get("kind") == "workbook":
        yield from _workbook_records(workbooks.read_workbook(data, str(header.get("file_name", ""))))
    elif header.get("kind") == "docx":
        from .documents import docx_text

        yield ["text", docx_text(data, workbooks.MAX_UNZIPPED_MB, workbooks.MAX_RATIO)]
    else:
        raise ValueError(f"unknown request {header.get('kind')!r}")


def _peak_kb() -> int:
    """This process's peak resident memory. Not ``ru_maxrss``: across ``exec`` Linux carries over the high-water
    mark of the process it replaced, which for a child spawned by the server is the server's own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _line(record: list) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_encode).encode(
        "utf-8", "surrogatepass") + b"\n"


def _answer(out: BinaryIO, header: dict, data: bytes, memory_mb: int) -> None:
    """Write the answer to one request as records, one per line, ending with the peak memory it took. Every
    failure, even while writing, becomes a refusal record (after which the parent ignores what came before)."""
    refused = None
    try:
        out.writelines(_line(record) for record in _serve(header, data))
    except UnreadableFile as exc:
        refused = {"code": exc.code, "params": exc.params}
    except MemoryError:
        refused = {"code": "too_much_memory", "params": {"limit": memory_mb}}
    except BaseException as exc:
        reraise_fatal(exc)
        logging.getLogger("loaders.sandbox").exception("reading failed")  # to stderr, kept by the parent
        refused = {"code": "unreadable_file", "params": {"detail": "读取时发生意外错误，文件可能已损坏"}}
    if refused is not None:
        out.write(json.dumps(["refused", refused], ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
                  + b"\n")
    out.write(_line(["end", {"peak_kb": _peak_kb()}]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Read one upload from stdin under limits (loaders/sandbox.py).")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    args = parser.parse_args(argv)
    _limit_self(args.memory_mb, args.cpu_seconds)  # first, before any byte of the file is read
    request = sys.stdin.buffer.read()
    head, _, data = request.partition(b"\n")
    del request
    try:
        header = json.loads(head)
    except ValueError:
        return 2
    _answer(sys.stdout.buffer, header, data, args.memory_mb)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
