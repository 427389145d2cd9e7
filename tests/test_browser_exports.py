"""What leaves the dashboard as a file: a table as .xlsx and a chart as .png, downloaded in a real browser."""
from __future__ import annotations

import openpyxl
import pytest

from tests.browsing import chromium, new_page, running_app, settle

pytestmark = pytest.mark.browser


def test_a_table_downloads_as_xlsx_and_a_chart_as_png(demo_url, tmp_path):
    link = "/regions?as_of=2023-09&target=labor_brand_training&region=510700"
    with running_app(demo_url) as url, chromium() as browser, new_page(browser) as page:
        page.goto(url + link)
        settle(page)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="下载表格（Excel）").first.click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.name == "prefectures-labor_brand_training-2023-09.xlsx"
        sheet = openpyxl.load_workbook(path).worksheets[0]
        text = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
        flat = " ".join(str(c) for row in text for c in row if c is not None)
        assert "截至 2023年9月" in flat and "绵阳市" in flat and "进度（实际/应达）" in flat
        assert sum(1 for row in text if row and row[0] and str(row[0]).endswith(("市", "州"))) >= 21

        chart = page.locator('[data-testid="stPlotlyChart"]').first
        chart.hover()
        with page.expect_download() as picture:
            chart.locator('.modebar-btn[data-title="Download plot as a PNG"]').first.click()
        png = tmp_path / picture.value.suggested_filename
        picture.value.save_as(png)
        assert png.name == "prefectures-labor_brand_training-2023-09.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert page.outside_requests == []
