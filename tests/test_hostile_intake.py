"""Hostile files through the real import (issue #13): the import reads in the sandbox, refuses each file with its
Chinese code, writes nothing, and goes on to the next file of the same command; the upload page refuses them in
the browser while the server keeps answering other users. The files are built by code (tests/hostile_files.py)."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
import sqlalchemy as sa

from tests.hostile_files import HOSTILE, far_corner, lying_bomb, one_unclosed_cell, unclosed_cells_in_comment
from tests.intake_files import good_rows, import_bytes, xlsx
from tracker.store.models import ReportedValue, Submission

WORST = [case for case in HOSTILE if case.id in (
    "far_corner_three_sheets", "unclosed_cells_outside_a_comment", "lying_bomb_200_mb", "shared_string_bomb",
    "csv_field_over_the_limit", "declared_size_smaller_than_content", "one_unclosed_cell")]


def _stored(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.scalar(sa.select(sa.func.count()).select_from(Submission)),
                conn.scalar(sa.select(sa.func.count()).select_from(ReportedValue)))


@pytest.mark.parametrize("case", WORST, ids=lambda c: c.id)
def test_the_import_refuses_a_hostile_file_quickly_and_writes_nothing(ready_engine, case):
    before = _stored(ready_engine)
    started = time.monotonic()
    outcome = import_bytes(ready_engine, case.make(), case.name)
    assert time.monotonic() - started < 2.0 + 0.5   # the sandbox's own start-up included
    assert outcome.status == "refused"
    assert [p.code for p in outcome.problems] == [case.code]
    assert _stored(ready_engine) == before


def test_one_hostile_file_does_not_stop_the_next_file_of_the_command(ready_engine, database_url, tmp_path):
    bad, good = tmp_path / "损坏.xlsx", tmp_path / "绵阳.xlsx"
    bad.write_bytes(one_unclosed_cell())
    good.write_bytes(xlsx(good_rows()))
    run = subprocess.run([sys.executable, "-m", "tracker.cli", "import", str(bad), str(good), "--period", "2023-06", "--prefecture", "510700",
                          "--format", "json"], capture_output=True, text=True, timeout=120,
                         env={"TRACKER_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1, run.stderr            # one file refused
    files = json.loads(run.stdout)["files"]           # JSON for both, in order
    assert [f["status"] for f in files] == ["refused", "imported"]
    assert files[0]["problems"][0]["code"] == "unreadable_file"
    assert "Traceback" not in run.stderr and "XmlError" not in run.stdout + run.stderr
    assert _stored(ready_engine)[0] == 1              # the good file went in, as its own transaction


# --- the page, in the browser ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_upload_page_refuses_hostile_files_while_the_server_keeps_answering(browser, server, tmp_path):
    from tests.browsing import ARTIFACTS, new_page, settle

    files = [("远角.xlsx", far_corner(sheets=3)), ("未闭合.xlsx", unclosed_cells_in_comment()),
             ("谎报炸弹.xlsx", lying_bomb())]
    latencies: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            started = time.monotonic()
            urllib.request.urlopen(server + "/_stcore/health", timeout=10).read()
            latencies.append(time.monotonic() - started)
            time.sleep(0.1)

    with new_page(browser) as page:
        page.goto(server + "/upload")
        settle(page)
        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            paths = []
            for name, data in files:
                path = tmp_path / name
                path.write_bytes(data)
                paths.append(str(path))
            started = time.monotonic()
            page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(paths)
            refused = page.get_by_text("有错误，不能导入")
            page.wait_for_function("n => document.body.innerText.split('有错误，不能导入').length - 1 >= n",
                                   arg=len(files), timeout=60_000)
            settle(page)
            assert refused.count() == len(files)
            assert time.monotonic() - started < 30   # three files, browser and upload included
            assert not page.locator('[data-testid="stException"]').count()
        finally:
            stop.set()
            watcher.join()
        page.screenshot(path=str(ARTIFACTS / "upload-hostile.png"), full_page=True)
    assert latencies and max(latencies) < 1.0, max(latencies)
