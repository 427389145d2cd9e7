"""The upload page in a real browser: download the template, fill it, upload it, see problems, commit."""
from __future__ import annotations

import openpyxl
import pytest
import sqlalchemy as sa

from tests.browsing import ARTIFACTS, chromium, new_page, settle

pytestmark = pytest.mark.browser


def _open_upload_page(page, url: str) -> None:
    page.goto(url + "/upload")  # a deep link, the first request this fresh server sees
    settle(page)
    page.get_by_role("heading", name="上报数据").wait_for(timeout=30_000)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "总览" in nav and "上报数据" in nav, nav  # the app's navigation, not the file names
    page.get_by_role("combobox", name="市（州）").click()
    page.get_by_role("combobox", name="市（州）").fill("绵阳市")
    page.get_by_role("option", name="绵阳市", exact=True).click()
    settle(page)
    page.get_by_role("combobox", name="报告期").click()
    page.get_by_role("combobox", name="报告期").fill("2023年6月")
    page.get_by_role("option", name="2023年6月", exact=True).click()
    settle(page)


def test_template_download_fill_upload_fix_and_commit(app_url, ready_engine, tmp_path):
    with chromium() as browser, new_page(browser) as page:
        _open_upload_page(page, app_url)
        with page.expect_download() as download:
            page.get_by_role("button", name="下载填报模板（绵阳市，2023年6月）").click()
        template = tmp_path / "template.xlsx"
        download.value.save_as(template)
        book = openpyxl.load_workbook(template)
        sheet = book["数据"]
        assert sheet["B6"].value == "涪城区" and sheet["A6"].value == "510703"
        for r in range(6, 15):
            for c, value in zip(range(3, 9), (300_000 + r, 20_000 + r, 50 + r, 2, 500 + r, 3)):
                sheet.cell(r, c, value)
        sheet["E9"] = "五十"  # a typo the page must point at
        bad = tmp_path / "绵阳6月.xlsx"
        book.save(bad)

        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(bad))
        settle(page)
        page.get_by_text("有错误，不能导入").wait_for(timeout=30_000)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "E9" in text and "三台县" in text
        page.screenshot(path=str(ARTIFACTS / "upload-refused.png"), full_page=True)
        with ready_engine.connect() as conn:
            assert conn.scalar(sa.text("select count(*) from reported_values")) == 0

        sheet["E9"] = 59
        good = tmp_path / "绵阳6月-改.xlsx"
        book.save(good)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(good))
        settle(page)
        page.get_by_role("button", name="确认导入").click()
        settle(page)
        page.get_by_text("已导入：报送编号").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "upload-receipt.png"), full_page=True)
        with ready_engine.connect() as conn:
            assert conn.scalar(sa.text("select count(*) from reported_values")) == 54
            assert conn.scalar(sa.text("select file_name from submissions")) == "绵阳6月-改.xlsx"
        assert page.outside_requests == []
