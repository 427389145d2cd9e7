"""Twenty-one prefectures importing at once, and an import killed mid-transaction."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import sqlalchemy as sa

from loaders.plans import load_plans
from loaders.regions import load_divisions, resolve_scopes
from tests.conftest import PROJECT
from tracker.intake.submissions import import_file
from tracker.intake.template import build_template
from tracker.model.status import load_config

PLAN = load_plans()["sichuan-2023-citizenization"]
TREE = load_divisions()
SCOPES = resolve_scopes(PLAN)


def return_of(prefecture: str, bump: int = 0) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(build_template(PLAN, TREE, "2023-06", prefecture, SCOPES)))
    sheet = book["数据"]
    for r in range(6, 6 + len(TREE.children(prefecture))):
        for c in range(3, sheet.max_column + 1):
            if sheet.cell(r, c).value != "—" and sheet.cell(4, c).value:
                sheet.cell(r, c, (100_000 if c == 3 else 100) + r + bump)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.scalar(sa.text("select count(*) from submissions")),
                conn.scalar(sa.text("select count(*) from reported_values")))


def test_21_imports_in_threads_all_commit_and_superseding_stays_right(ready_engine):
    prefectures = [p.code for p in TREE.level("prefecture")]
    checks = load_config().checks

    def run(code: str, bump: int):
        return import_file(ready_engine, return_of(code, bump), f"{code}.xlsx", PLAN, TREE, SCOPES, checks,
                           uploader=code, period="2023-06", prefecture=code, accept_warnings=True)

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = list(pool.map(lambda c: run(c, 0), prefectures))
    assert [o.status for o in first] == ["imported"] * 21
    with ThreadPoolExecutor(max_workers=8) as pool:  # everyone re-uploads at once, with new figures
        second = list(pool.map(lambda c: run(c, 1), prefectures))
    assert [o.status for o in second] == ["imported"] * 21
    total = sum(o.values for o in first)
    assert _counts(ready_engine) == (42, 2 * total)
    from tracker.store import current_values

    current = current_values(ready_engine, PLAN.id)
    assert len(current) == total  # one current figure per cell: the re-upload's
    assert (current["value"] % 100 != 0).all()


def test_21_imports_in_separate_processes_all_commit(ready_engine, database_url, tmp_path):
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url}
    procs = []
    for prefecture in TREE.level("prefecture"):
        path = tmp_path / f"{prefecture.code}.xlsx"
        path.write_bytes(return_of(prefecture.code))
        procs.append(subprocess.Popen([sys.executable, "-m", "tracker.cli", "import", str(path), "--prefecture",
                                       prefecture.code, "--accept-warnings", "--format", "json"],
                                      env=env, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0] * 21, [p.stderr.read().decode()[-300:] for p in procs if p.returncode]
    assert _counts(ready_engine)[0] == 21


def test_an_import_killed_mid_transaction_leaves_the_database_consistent(ready_engine, database_url, tmp_path):
    path = tmp_path / "510700.xlsx"
    path.write_bytes(return_of("510700"))
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_TEST_HOLD_TRANSACTION": "60"}
    proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "import", str(path), "--accept-warnings"],
                            env=env, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    line = b""
    while time.time() < deadline and b"holding transaction" not in line:
        line = proc.stderr.readline()
    assert b"holding transaction" in line, "the import never reached its transaction"
    proc.send_signal(signal.SIGKILL)  # values inserted, commit not reached
    proc.wait(timeout=30)
    assert _counts(ready_engine) == (0, 0)
    with ready_engine.connect() as conn:
        if ready_engine.dialect.name == "sqlite":
            assert conn.scalar(sa.text("pragma integrity_check")) == "ok"
        assert conn.scalar(sa.text("select count(*) from audit_log")) == 0
    outcome = import_file(ready_engine, path.read_bytes(), path.name, PLAN, TREE, SCOPES, load_config().checks,
                          uploader="retry", period="2023-06", prefecture="510700")
    assert outcome.status == "imported"  # the killed writer left no lock behind
    assert _counts(ready_engine) == (1, outcome.values)
