"""Sign-in in a real browser, and two app servers on one PostgreSQL database.

Server A requires sign-in; server B has the public overview switched on. Both run against the same PostgreSQL
schema with the same TRACKER_SECRET_KEY, as two servers behind the intranet's proxy would. Cookies are not
separated by port, so a cookie set by A is sent to B as well: B accepting it is the shared-session check.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.browsing import ARTIFACTS, import_on_upload_page, landing_heading, new_page, running_app, settle
from tests.intake_files import JUNE, filled_template
from tracker.access.roles import Actor
from tracker.access.sessions import COOKIE
from tracker.model.units import format_quantity

pytestmark = pytest.mark.browser

KEY = "shared-secret-key-of-the-two-servers-" + "x" * 8
PASSWORD = "a long enough secret"


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    """One PostgreSQL schema with the plans, regions and two accounts, and no figures."""
    from tests.conftest import _new_url
    from tracker.access.accounts import add_user
    from tracker.store import init_database
    from tracker.store.db import get_engine

    url, drop = _new_url("postgresql", tmp_path_factory.mktemp("signin"))
    engine = get_engine(url)
    init_database(engine)
    root = Actor("root", "admin")
    add_user(engine, root, "admin1", PASSWORD, "admin", display_name="省人社厅管理员")
    add_user(engine, root, "kan", PASSWORD, "viewer", display_name="只读用户甲")
    yield url
    engine.dispose()
    drop()


@pytest.fixture(scope="module")
def servers(pg_url):
    """A (sign-in required) and B (public overview), started with the same secret key."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRACKER_SECRET_KEY", KEY)
        env.delenv("TRACKER_PUBLIC_OVERVIEW", raising=False)
        with running_app(pg_url) as a:
            env.setenv("TRACKER_PUBLIC_OVERVIEW", "1")
            with running_app(pg_url) as b:
                yield a, b

LANDING = landing_heading()  # a signed-in visitor lands on the ended demo plan's evaluation


def _heading(page, text: str) -> None:
    page.get_by_role("heading", name=text).first.wait_for(timeout=30_000)
    settle(page)


def _sign_in(page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    settle(page)


def _session_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == COOKIE), None)


def _nav(page) -> list[str]:
    return page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()


def test_signing_in_survives_a_reload_and_signing_out_ends_it(servers, browser):
    a, _ = servers
    with new_page(browser) as page:
        page.goto(a)
        _heading(page, "登录")
        page.screenshot(path=str(ARTIFACTS / "signin-page.png"), full_page=True)
        _sign_in(page, "admin1", "wrong password!!")
        page.get_by_text("用户名或密码不正确").wait_for(timeout=30_000)
        assert _session_cookie(page) is None
        _sign_in(page, "admin1", PASSWORD)
        _heading(page, LANDING)
        cookie = _session_cookie(page)
        assert cookie is not None and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert 11.9 * 3600 < cookie["expires"] - datetime.now().timestamp() <= 12 * 3600

        page.reload()
        _heading(page, LANDING)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("当前用户：省人社厅管理员（管理员）").wait_for(timeout=30_000)
        assert {"上报数据", "审计日志", "导入新方案"} <= set(_nav(page))
        page.screenshot(path=str(ARTIFACTS / "signed-in-after-reload.png"), full_page=True)

        sidebar.get_by_role("button", name="退出登录").click()
        _heading(page, "登录")
        page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')", timeout=10_000)
        page.reload()
        _heading(page, "登录")
        assert _session_cookie(page) is None
        assert page.outside_requests == []


def test_signing_out_ends_the_session_for_a_copy_of_the_cookie_in_another_browser(servers, browser):
    """The penetration test copied the cookie into another browser: after 退出登录 it still opened 上报数据 for the
    rest of its 12 hours. The session is now revoked on the server, so the copy opens the sign-in page."""
    a, _ = servers
    with new_page(browser) as first, new_page(browser) as second:
        first.goto(a)
        _heading(first, "登录")
        _sign_in(first, "admin1", PASSWORD)
        _heading(first, LANDING)
        copied = _session_cookie(first)
        second.context.add_cookies([{k: copied[k] for k in ("name", "value", "domain", "path", "sameSite")}])
        second.goto(a + "/upload")  # the copy works, as a copied cookie does
        _heading(second, "上报数据")
        assert second.locator('[data-testid="stFileUploader"]').count() >= 1

        first.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
        _heading(first, "登录")

        # the other browser's open page, at its next click ...
        second.locator('[data-testid="stSidebarNav"] a').filter(has_text="总览").first.click()
        _heading(second, "登录")
        assert "上报数据" not in _nav(second)
        # ... and the copied cookie presented afresh
        second.context.add_cookies([{k: copied[k] for k in ("name", "value", "domain", "path", "sameSite")}])
        second.goto(a + "/upload")
        _heading(second, "登录")
        second.get_by_text("登录已失效").wait_for(timeout=30_000)
        assert second.locator('[data-testid="stFileUploader"]').count() == 0
        second.screenshot(path=str(ARTIFACTS / "copied-cookie-after-sign-out.png"), full_page=True)


@pytest.mark.parametrize("spoil", ["tampered", "expired"])
def test_a_tampered_or_expired_cookie_is_refused_and_cleared(servers, browser, pg_url, spoil):
    from tracker.access.sessions import issue
    from tracker.store.db import get_engine

    a, _ = servers
    engine = get_engine(pg_url)
    if spoil == "tampered":
        token = issue(engine, Actor("kan", "viewer"), KEY)
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    else:
        token = issue(engine, Actor("kan", "viewer"), KEY, issued_at=datetime.now(timezone.utc) - timedelta(hours=13))
    with new_page(browser) as page:
        page.context.add_cookies([{"name": COOKIE, "value": token, "url": a, "sameSite": "Strict"}])
        page.goto(a)
        _heading(page, "登录")
        page.get_by_text("登录已失效").wait_for(timeout=30_000)
        assert "上报数据" not in _nav(page)
        page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')", timeout=10_000)


def test_the_public_overview_shows_the_overview_only_until_one_signs_in(servers, browser):
    _, b = servers
    with new_page(browser) as page:
        page.goto(b)
        _heading(page, "目标进度总览")
        assert _nav(page) == ["总览", "登录"]
        page.get_by_text("公开浏览：仅可查看总览").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0
        assert page.get_by_role("button", name="汇报模式").count() == 0
        page.screenshot(path=str(ARTIFACTS / "public-overview.png"), full_page=True)
        page.goto(b + "/upload")  # not in the menu: Streamlit says so and falls back to the overview
        _heading(page, "目标进度总览")
        page.screenshot(path=str(ARTIFACTS / "public-overview-deep-link.png"))
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
        page.keyboard.press("Escape")  # the "page not found" dialog
        settle(page)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="登录").click()
        _heading(page, "登录")
        _sign_in(page, "kan", PASSWORD)
        _heading(page, "目标进度总览")  # signed in from the public overview: back to the overview
        page.locator('[data-testid="stSidebar"]').get_by_text("当前用户：只读用户甲（只读用户）").wait_for(timeout=30_000)
        nav = _nav(page)
        assert "地区" in nav and "上报数据" not in nav and "登录" not in nav  # a viewer: everything but writing


def _choose_month(page, label: str) -> None:
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="截至月份")
    box.click()
    box.fill(label)
    page.get_by_role("option", name=label, exact=True).click()
    settle(page)


def test_two_servers_on_one_database_share_sessions_and_see_each_others_writes(servers, browser, pg_url, tmp_path):
    a, b = servers
    with new_page(browser) as on_a:
        on_a.goto(a)
        _heading(on_a, "登录")
        _sign_in(on_a, "admin1", PASSWORD)
        _heading(on_a, LANDING)

        # The same browser opens B: A's cookie, signed with the shared key, is a session on B too.
        on_b = on_a.context.new_page()
        on_b.goto(b)
        _heading(on_b, LANDING)
        on_b.locator('[data-testid="stSidebar"]').get_by_text("当前用户：省人社厅管理员（管理员）").wait_for(
            timeout=30_000)
        assert "上报数据" in _nav(on_b) and "登录" not in _nav(on_b)
        _choose_month(on_b, "2023年5月")  # a month chosen: its overview (the ended plan opened on its evaluation)
        _heading(on_b, "目标进度总览")
        card = on_b.locator('[data-target="rural_labor_transfer"]')
        before = card.inner_text()

        # A return imported through A's upload page ...
        on_a.goto(a + "/upload")
        _heading(on_a, "上报数据")
        path = tmp_path / "绵阳2023年6月.xlsx"
        path.write_bytes(filled_template(figures=JUNE))
        import_on_upload_page(on_a, path)

        # ... shows in B's open session at its next run, without a restart.
        _choose_month(on_b, "2023年6月")
        expected = format_quantity(sum(JUNE["rural_labor_transfer"]), "人")
        card.filter(has_text=expected).wait_for(timeout=30_000)
        assert expected not in before
        on_b.screenshot(path=str(ARTIFACTS / "server-b-sees-server-a.png"), full_page=True)
        assert on_a.outside_requests == []
