"""What a person sees: the real app served by Streamlit, driven in Debian's headless Chromium.

AppTest cannot see charts or what the sidebar does across pages; these tests can. Screenshots are kept in
test-artifacts/ to be looked at.
"""
from __future__ import annotations

import pytest

from tests.browsing import ARTIFACTS, new_page, settle
from tracker.model.units import format_quantity

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, server):
    with new_page(browser) as page:
        yield page


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar selectbox labelled ``label``, as a person would."""
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=label)
    box.click()
    box.fill(option)  # the list is virtualised: typing filters it down to the option
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def _caption_says(page, text: str) -> None:
    """Wait for the rerun a choice triggers: the page caption names the as-of month once it has drawn."""
    page.locator('[data-testid="stCaptionContainer"]').filter(has_text=text).first.wait_for(timeout=30_000)
    settle(page)


def _fonts_rendering(page, selector: str) -> list[str]:
    """The platform fonts Chromium actually used for the glyphs of an element (not the CSS wish list)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts if f["glyphCount"] > 0]


def _province_sum(url: str, target: str, period: str) -> float:
    import sqlalchemy as sa

    from tracker.store.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.scalar(sa.text("select sum(value) from reported_values where target_id = :t and period = :p"),
                           {"t": target, "p": period})


def test_overview_shows_a_targets_value_in_chinese_and_takes_a_screenshot(page, server, demo_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server)  # the root opens on the ended plan's evaluation; choosing a month opens its overview
    settle(page)
    _choose(page, "截至月份", "2023年6月")
    _caption_says(page, "截至 2023年6月")
    card = page.locator('[data-target="rural_labor_transfer"]')
    expected = format_quantity(_province_sum(demo_url, "rural_labor_transfer", "2023-06"), "人")
    assert expected in card.inner_text()
    assert "农村劳动力转移就业人数" in card.inner_text()
    assert page.get_by_text("示例数据：当前显示的是随机生成的演示数据").is_visible()
    shot = ARTIFACTS / f"overview-{'pg' if 'postgresql' in demo_url else 'sqlite'}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert any("CJK" in font for font in _fonts_rendering(page, ".tc-name")), "Chinese must render in a CJK font"
    assert page.outside_requests == []


def test_month_chosen_in_the_sidebar_is_kept_across_pages_and_the_chart_draws(page, server):
    page.goto(server)
    settle(page)
    _choose(page, "截至月份", "2023年9月")
    _caption_says(page, "截至 2023年9月")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="地区").click()
    settle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    title = " ".join(page.locator('[data-testid="stPlotlyChart"]').first.locator("text").all_text_contents())
    assert "2023年9月" in title
    assert "成都市" in title
    page.screenshot(path=str(ARTIFACTS / "regions.png"), full_page=True)
    assert page.outside_requests == []
