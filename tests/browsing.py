"""Helpers for browser tests: the real app served by ``streamlit run`` and Debian's headless Chromium."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import PROJECT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(database_url: str, script: str = "app.py"):
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url}
    with open(ARTIFACTS / f"streamlit-{port}.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port",
             str(port), "--browser.gatherUsageStats", "false"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read().strip() == b"ok":
                        break
                except OSError:
                    time.sleep(0.3)
            else:
                pytest.fail("streamlit did not become healthy within 60 s")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@contextmanager
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


@contextmanager
def new_page(browser, width: int = 1440, height: int = 1000):
    """A fresh page that records every request leaving the machine in ``page.outside_requests``."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True)
    outside: list[str] = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(LOCAL) else None)
    page = context.new_page()
    page.outside_requests = outside  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


def settle(page) -> None:
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_timeout(500)


def landing_heading() -> str:
    """The heading a signed-in visitor lands on at the root with no month asked for: an ended plan's evaluation
    (the demo plan ended in December 2025), else the overview."""
    from datetime import date

    from loaders.plans import load_plans
    from tracker.model.periods import month_of

    ended = load_plans()["sichuan-2023-citizenization"].ended(month_of(date.today()))
    return "成效评估" if ended else "目标进度总览"


def import_on_upload_page(page, path: Path, prefecture: str = "绵阳市", month: str = "2023年6月") -> None:
    """On an open 上报数据 page, as a prefecture official does it: choose the prefecture and month, upload ``path``,
    tick and explain any warning (情况说明), commit, and wait for the receipt."""
    for label, option in (("市（州）", prefecture), ("报告期", month)):
        box = page.get_by_role("combobox", name=label)
        box.click()
        box.fill(option)
        page.get_by_role("option", name=option, exact=True).click()
        settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))
    settle(page)
    confirm = page.get_by_text("我已核实以上警告")
    if confirm.count():  # a warning takes the tick and an explanation
        confirm.first.click()
        settle(page)
        page.get_by_role("textbox", name="情况说明（确认警告须填写）").fill("测试说明")
        page.keyboard.press("Tab")
        settle(page)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入：报送编号").wait_for(timeout=30_000)
