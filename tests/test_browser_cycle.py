"""The monthly cycle's pages in a real browser, in Chinese (#17): a return imported on 上报数据, one figure of it
returned on 审核 and shown to the prefecture with its reason, the whole upload withdrawn, and the office's delivery
judgement recorded on 指标详情 and shown on the overview card — each checked in the database and in what the page
draws, with nothing fetched from outside."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browsing import ARTIFACTS, chromium, import_on_upload_page, new_page, settle
from tests.intake_files import JUNE, good_rows, xlsx

pytestmark = pytest.mark.browser


def _choose(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")   # a multiselect keeps its list open for more
    settle(page)


def _open(page, url: str, path: str, heading: str) -> None:
    page.goto(url + path)
    settle(page)
    page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)


def test_a_figure_returned_a_return_withdrawn_and_a_judgement_recorded(app_url, ready_engine, tmp_path):
    source = tmp_path / "绵阳2023年6月.xlsx"
    source.write_bytes(xlsx(good_rows(JUNE, period_label="2023年6月")))
    with chromium() as browser, new_page(browser) as page:
        _open(page, app_url, "/upload", "上报数据")
        import_on_upload_page(page, source)
        with ready_engine.connect() as conn:
            [sid] = conn.execute(sa.text("select id from submissions")).scalars().all()

        # 退回部分数据: 三台县's labour-transfer figure goes back with a reason; the rest counts
        _open(page, app_url, "/review", "审核")
        page.get_by_text("退回部分数据", exact=True).click()
        settle(page)
        _choose(page, "指标", "农村劳动力转移就业人数")
        _choose(page, "县（市、区）（不选即退回整列）", "三台县")
        page.get_by_role("textbox", name="退回原因（市州可见）").fill("三台县比上月多5万，请核实")
        page.keyboard.press("Tab")
        settle(page)
        page.get_by_role("button", name="退回所选数据").click()
        settle(page)
        page.get_by_text(f"已退回报送 {sid}（绵阳市 2023年6月）中的 1 项数据").wait_for(timeout=30_000)
        page.get_by_text("退回部分数据", exact=True).click()
        settle(page)
        listed = page.locator('[data-testid="stTable"]').filter(has_text="退回的数值").first.inner_text()
        assert "三台县" in listed and "16.5万人" in listed and "待更正" in listed, listed
        page.screenshot(path=str(ARTIFACTS / "cycle-cells-returned.png"), full_page=True)
        with ready_engine.connect() as conn:
            counted = conn.execute(sa.text("select count(*) from current_figures")).scalar()
            assert counted == 53   # 54 figures, one returned

        # the prefecture's side: the month's upload page names the figure and why
        _open(page, app_url, "/upload", "上报数据")
        _choose(page, "市（州）", "绵阳市")
        _choose(page, "报告期", "2023年6月")
        page.get_by_text("省级审核退回了2023年6月的 1 项数据").wait_for(timeout=30_000)
        assert "三台县比上月多5万，请核实" in page.locator('[data-testid="stMain"]').inner_text()

        # 撤回: the whole upload withdrawn with a reason; nothing of it counts
        _open(page, app_url, "/review", "审核")
        page.get_by_text("撤回误传的报送", exact=True).click()
        settle(page)
        page.get_by_role("textbox", name="撤回原因（必填）").fill("新系统试传的文件")
        page.keyboard.press("Tab")
        settle(page)
        page.get_by_role("button", name="撤回", exact=True).click()
        settle(page)
        page.get_by_text(f"已撤回报送 {sid}").wait_for(timeout=30_000)
        with ready_engine.connect() as conn:
            assert conn.execute(sa.text("select count(*) from current_figures")).scalar() == 0
            assert conn.execute(sa.text("select status from submissions")).scalar() == "withdrawn"

        # 调度研判 on 指标详情, then beside the computed status on the overview card
        _open(page, app_url, "/target?as_of=2025-12&target=key_area_skill_training", "指标详情")
        page.get_by_text("记录本次调度研判", exact=True).click()
        settle(page)
        page.get_by_text("风险较大", exact=True).click()
        page.get_by_role("textbox", name="理由（必填）").fill("三个县尚未开班")
        page.get_by_role("button", name="保存研判").click()
        settle(page)
        page.get_by_text("已记录：风险较大").wait_for(timeout=30_000)
        _open(page, app_url, "/?as_of=2025-12", "目标进度总览")
        card = page.locator('[data-target="key_area_skill_training"]').inner_text()
        assert "调度研判：风险较大" in card, card
        page.screenshot(path=str(ARTIFACTS / "cycle-judgement-card.png"), full_page=True)
        with ready_engine.connect() as conn:
            actions = conn.execute(sa.text("select action from audit_log order by id")).scalars().all()
        assert actions == ["import", "return_cells", "withdraw", "judge"], actions
        assert page.outside_requests == []
