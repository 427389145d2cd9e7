"""The README's pictures, made from the real app: `python scripts/screenshots.py [--out docs/img]`.

A fresh SQLite database with the demo data, `streamlit run app.py`, Debian's headless Chromium (as the browser
tests drive it): the overview at 1440×900, the first slide of 汇报模式 at 1280×720, and the upload page after a
template with two mistakes (a word where a number goes, a negative number) is uploaded for 绵阳市. Run it again
after changing what the pages show; look at the pictures before committing them.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.browsing import chromium, new_page, running_app, settle  # noqa: E402

AS_OF = "2025-12"
PLAN = "sichuan-2023-citizenization"


def _demo_database(directory: Path) -> str:
    url = f"sqlite:///{directory / 'tracker.db'}"
    env_cli = [sys.executable, "-m", "tracker.cli"]
    import os

    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    subprocess.run([*env_cli, "init"], check=True, env=env, cwd=PROJECT, stdout=subprocess.DEVNULL)
    subprocess.run([*env_cli, "demo", "--if-empty"], check=True, env=env, cwd=PROJECT, stdout=subprocess.DEVNULL)
    return url


def _broken_return() -> bytes:
    """绵阳市's template for June 2023, filled in, with "待报" where a number goes and a negative number."""
    import openpyxl

    from loaders.plans import load_plans
    from loaders.regions import load_divisions, resolve_scopes
    from tracker.intake.template import build_template

    plan = load_plans()[PLAN]
    book = openpyxl.load_workbook(io.BytesIO(build_template(plan, load_divisions(), "2023-06", "510700",
                                                            resolve_scopes(plan))))
    sheet = book["数据"]
    for r in range(6, 15):
        for c, value in zip(range(3, 9), (300_000 + r, 20_000 + r, 50 + r, 2, 500 + r, 3)):
            sheet.cell(r, c, value)
    sheet["E9"] = "待报"
    sheet["G11"] = -5
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pick(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "img")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, running_app(_demo_database(Path(scratch))) as url, \
            chromium() as browser:
        with new_page(browser, 1440, 900) as page:
            page.goto(url)
            settle(page)
            page.goto(f"{url}/?plan={PLAN}&as_of={AS_OF}&lang=zh")  # a month asked for: its overview
            settle(page)
            page.locator(".tc-card").first.wait_for(timeout=30_000)
            page.screenshot(path=str(out / "overview.png"))
            page.goto(f"{url}/upload?plan={PLAN}&as_of={AS_OF}&lang=zh")
            settle(page)
            _pick(page, "市（州）", "绵阳市")
            _pick(page, "报告期", "2023年6月")
            page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
                files=[{"name": "绵阳市2023年6月.xlsx", "mimeType": "application/octet-stream",
                        "buffer": _broken_return()}])
            settle(page)
            page.get_by_text("有错误，不能导入").first.wait_for(timeout=30_000)
            page.get_by_text("本次数值").first.scroll_into_view_if_needed()
            page.get_by_role("heading", name="绵阳市2023年6月.xlsx").first.scroll_into_view_if_needed()
            page.screenshot(path=str(out / "upload-problems.png"))
        with new_page(browser, 1280, 720) as page:
            page.goto(url)
            settle(page)
            page.goto(f"{url}/?view=present&plan={PLAN}&as_of={AS_OF}&lang=zh")
            settle(page)
            page.wait_for_selector("section.sl", timeout=30_000)
            page.screenshot(path=str(out / "slide.png"))
    for name in ("overview.png", "upload-problems.png", "slide.png"):
        print(out / name)


if __name__ == "__main__":
    main()
