"""网上填报 in a real browser, in Chinese: type figures into the grid, check, see a bad cell refused in place, correct
it, confirm the warning with an explanation, commit, and find the return in the history as entered online."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browsing import ARTIFACTS, chromium, new_page, settle
from tests.test_browser_upload import _open_upload_page
from ui.returns import CODE_WIDTH, NAME_WIDTH

pytestmark = pytest.mark.browser

HEADER, ROW = 35, 35  # the data editor's header and row heights (px), Streamlit's defaults


def _cell(page, grid, row: int, column: int) -> None:
    """Select the cell of ``row`` in the ``column``-th figure column. The grid is a canvas that scrolls sideways as
    cells are typed in, so a cell of the row just right of the pinned county columns is clicked and the arrow keys
    go from the row's first cell."""
    box = grid.bounding_box()
    page.mouse.click(box["x"] + CODE_WIDTH + NAME_WIDTH + 20, box["y"] + HEADER + ROW * row + ROW / 2)
    page.wait_for_timeout(200)
    for _ in range(12):
        page.keyboard.press("ArrowLeft")
    for _ in range(column + 2):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)


def _type(page, texts: list[str]) -> None:
    """Type ``texts`` into the selected cell and those right of it, as a person does: Enter opens the cell's editor,
    the text once the editor is there (keys sent before it is drawn went to the canvas: "300006" arrived as
    "0006"), Enter keeps it; then the arrow to the next cell. Then wait for the page's run the edits start."""
    for i, text in enumerate(texts):
        page.keyboard.press("Enter")
        editor = page.locator("#portal textarea, #portal input").first
        editor.wait_for(state="visible", timeout=5_000)
        editor.type(text, delay=20)
        editor.press("Tab")   # kept, and the next cell to the right selected
        editor.wait_for(state="hidden", timeout=5_000)
    # the grid hands its edits to the page a moment after the last one (as a person's hand moves to 检查)
    page.wait_for_timeout(1_000)
    settle(page)


def test_figures_typed_into_the_grid_are_checked_and_committed(app_url, ready_engine):
    with chromium() as browser, new_page(browser) as page:
        _open_upload_page(page, app_url)
        page.locator('[data-testid="stButtonGroup"]').get_by_text("网上填报", exact=True).click()
        settle(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=30_000)
        grid.locator('th[role="columnheader"]').first.wait_for(state="attached", timeout=30_000)
        headings = grid.locator('th[role="columnheader"]').all_text_contents()  # the grid's accessible table
        assert headings[:3] == ["区划代码", "县（市、区）", "农村劳动力转移就业人数（人）"], headings
        _cell(page, grid, 0, 0)
        _type(page, ["300006", "20006", "56", "2", "待报", "3"])  # 涪城区 only: the other counties are left empty
        settle(page)
        page.get_by_role("button", name="检查").click()
        settle(page)
        page.get_by_text("有错误，不能导入").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "online-entry-refused.png"), full_page=True)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "网上填报：绵阳市，2023年6月" in text and "“劳务品牌培训人数”应为数字，填写的是“待报”" in text, text
        with ready_engine.connect() as conn:
            assert conn.scalar(sa.text("select count(*) from reported_values")) == 0

        _cell(page, grid, 0, 4)
        _type(page, ["506"])  # 劳务品牌培训人数 corrected
        settle(page)
        page.get_by_role("button", name="检查").click()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "online-entry-warning.png"), full_page=True)
        page.get_by_text("我已核实以上警告").first.click()  # eight counties left empty: a warning
        settle(page)
        page.get_by_role("textbox", name="情况说明（确认警告须填写）").fill("其余县本月系统升级，下月补报")
        page.keyboard.press("Tab")
        settle(page)
        page.get_by_role("button", name="确认导入").click()
        settle(page)
        page.get_by_text("已导入：报送编号").wait_for(timeout=30_000)
        history = page.locator('[data-testid="stTable"]').filter(has_text="报送编号").last.inner_text()
        assert "网上填报-510700-2023-06.xlsx" in history and "网上填报" in history, history
        page.screenshot(path=str(ARTIFACTS / "online-entry-receipt.png"), full_page=True)
        with ready_engine.connect() as conn:
            stored = dict(conn.execute(sa.text("select target_id, value from reported_values")).all())
            assert conn.scalar(sa.text("select file_name from submissions")) == "网上填报-510700-2023-06.xlsx"
        assert stored == {"rural_labor_transfer": 300006, "poverty_labor_transfer": 20006,
                          "return_entrepreneurship_training": 56, "rural_wealth_leaders": 2,
                          "labor_brand_training": 506, "rural_craftsman_training": 3}
        assert page.outside_requests == []
