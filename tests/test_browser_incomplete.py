"""What a leadership meeting sees when only one prefecture has reported for the month: 数据不全, never a screen of
red 滞后 (issue #14). A real database of real returns (2023-01…08 from every county, September from 绵阳 alone),
the real app, Debian's Chromium; the screenshot is kept in test-artifacts/ to be looked at."""
from __future__ import annotations

import pytest

from tests.browsing import ARTIFACTS, new_page, running_app, settle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def september_from_one_prefecture(tmp_path_factory):
    from loaders.plans import get_plan
    from loaders.regions import load_divisions, resolve_scopes
    from tests.test_defensible import PLAN, _complete, _record
    from tracker.store import init_database
    from tracker.store.db import get_engine
    from tracker.store.demo import generate_values

    url = f"sqlite:///{tmp_path_factory.mktemp('one-prefecture') / 'tracker.db'}"
    engine = get_engine(url)
    init_database(engine)
    plan = get_plan(PLAN)
    tree, scopes = load_divisions(), resolve_scopes(plan)
    groups = _complete({k: v for k, v in generate_values(plan, tree, scopes).items() if k[1] <= "2023-12"},
                       tree, scopes, plan)
    _record(engine, groups, keep=lambda prefecture, month: month <= "2023-08" or (
        prefecture == "510700" and month == "2023-09"))
    with running_app(url) as served:
        yield served


def test_the_overview_after_one_prefectures_return_says_incomplete_not_behind(browser, september_from_one_prefecture):
    with new_page(browser, 1440, 900) as page:
        page.goto(f"{september_from_one_prefecture}/?as_of=2023-09")
        settle(page)
        page.locator(".tc-card").first.wait_for(timeout=30_000)
        statuses = page.locator(".tc-status").all_inner_texts()
        page.screenshot(path=str(ARTIFACTS / "overview-one-prefecture-2023-09.png"), full_page=True)
        assert len(statuses) == 7
        assert "滞后" not in statuses and "预警" not in statuses
        assert statuses.count("数据不全") >= 5
        warnings = " ".join(page.locator(".tc-warn").all_inner_texts())
        assert "183 个县中 9 个报送" in warnings and "暂不判断进度" in warnings
        assert not page.outside_requests
