"""Deep links: a copied link opens the same view — page, plan, month, target and region — even as the first
request a freshly started server sees."""
from __future__ import annotations

import pytest

from tests.browsing import ARTIFACTS, chromium, new_page, running_app, settle

pytestmark = pytest.mark.browser


def test_a_deep_link_opens_the_region_month_and_target_it_names(demo_url):
    link = "/regions?plan=sichuan-2023-citizenization&as_of=2023-09&target=labor_brand_training&region=510700"
    with running_app(demo_url) as url, chromium() as browser, new_page(browser) as page:
        page.goto(url + link)
        settle(page)
        page.locator('[data-testid="stCaptionContainer"]').filter(has_text="截至 2023年9月").first.wait_for(
            timeout=30_000)
        page.get_by_role("heading", name="地区进度").wait_for(timeout=30_000)
        settle(page)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        assert page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="截至月份").input_value() \
            == "2023年9月"
        assert page.get_by_role("combobox", name="选择指标").input_value() == "劳务品牌培训人数"
        assert page.get_by_role("combobox", name="查看市（州）下辖县（市、区）").input_value() == "绵阳市"
        page.get_by_role("heading", name="绵阳市各县（市、区）").wait_for(timeout=30_000)
        titles = " ".join(page.locator('[data-testid="stPlotlyChart"]').first.locator("text").all_text_contents())
        assert "劳务品牌培训人数" in titles and "2023年9月" in titles
        assert "as_of=2023-09" in page.url and "region=510700" in page.url
        page.screenshot(path=str(ARTIFACTS / "deep-link-regions.png"), full_page=True)

        # the address bar follows the view: choosing another month rewrites the link
        box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="截至月份")
        box.click()
        box.fill("2023年6月")
        page.get_by_role("option", name="2023年6月", exact=True).click()
        page.wait_for_url("**as_of=2023-06**", timeout=30_000)
        assert page.outside_requests == []
