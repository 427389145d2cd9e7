"""Sign-in: tokens, the secret key, who a session acts as, single sign-on mapping, role-based pages and the audit
page; the core on both databases, the pages under AppTest.

AppTest cannot set cookies, so the cookie's path is tested through ``sessions.access`` (which takes the cookie's
value) and the browser tests; the form, the sidebar and the pages are driven here.
"""
from __future__ import annotations

import stat
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plans
from tests.conftest import PROJECT, shown, table_of
from tests.intake_files import JUNE, MIANYANG, filled_template, good_rows, import_bytes, xlsx
from tracker.access import audit, sessions
from tracker.access.accounts import add_user, disable_user, set_password
from tracker.access.roles import Actor, PermissionDenied
from tracker.access.sessions import OPEN_ACTOR, SessionConfigError, access, issue, may_see, sso_actor, verify
from tracker.model.periods import month_of

ADMIN = Actor("root", "admin")
KEY = "k" * 40
PASSWORD = "a long enough secret"
#: The page a signed-in visitor lands on: the 2023 plan ended in December 2025, so its evaluation (issue #18).
LANDING = "成效评估" if load_plans()["sichuan-2023-citizenization"].ended(month_of(date.today())) else "目标进度总览"


def _accounts(engine) -> None:
    add_user(engine, ADMIN, "admin1", PASSWORD, "admin", display_name="省人社厅管理员")
    add_user(engine, ADMIN, "sheng", PASSWORD, "province", display_name="省农民工办")
    add_user(engine, ADMIN, "mianyang", PASSWORD, "prefecture", MIANYANG, "绵阳市人社局")
    add_user(engine, ADMIN, "kan", PASSWORD, "viewer", display_name="只读")
    add_user(engine, ADMIN, "zhang.san@sc.gov.cn", PASSWORD, "province", display_name="张三")


def _token(engine, username: str, **kwargs) -> str:
    return issue(engine, Actor(username, "viewer"), KEY, **kwargs)


# ------------------------------------------------------------------------------------------ tokens

def test_a_token_stands_for_its_account_until_it_expires(ready_engine):
    _accounts(ready_engine)
    assert verify(ready_engine, _token(ready_engine, "mianyang"), KEY) == Actor(
        "mianyang", "prefecture", MIANYANG, "绵阳市人社局")
    eleven_hours_ago = datetime.now(timezone.utc) - timedelta(hours=11)
    thirteen_hours_ago = datetime.now(timezone.utc) - timedelta(hours=13)
    assert verify(ready_engine, _token(ready_engine, "kan", issued_at=eleven_hours_ago), KEY) is not None
    assert verify(ready_engine, _token(ready_engine, "kan", issued_at=thirteen_hours_ago), KEY) is None
    assert verify(ready_engine, _token(ready_engine, "kan", issued_at=eleven_hours_ago), KEY,
                  max_age=timedelta(hours=1)) is None


def test_a_tampered_token_or_one_signed_with_another_key_is_refused(ready_engine):
    _accounts(ready_engine)
    token = _token(ready_engine, "kan")
    payload, rest = token.split(".", 1)
    import base64
    import json

    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["u"] = "admin1"  # promote oneself by editing the readable part
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged, separators=(",", ":")).encode()).rstrip(b"=")
    assert verify(ready_engine, forged_payload.decode() + "." + rest, KEY) is None
    assert verify(ready_engine, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), KEY) is None
    assert verify(ready_engine, token, "x" * 40) is None
    assert verify(ready_engine, "not a token", KEY) is None


def test_a_password_change_or_a_disabled_account_ends_its_sessions(ready_engine):
    _accounts(ready_engine)
    before = _token(ready_engine, "sheng")
    set_password(ready_engine, ADMIN, "sheng", "another long secret")
    assert verify(ready_engine, before, KEY) is None
    after = _token(ready_engine, "sheng")
    assert verify(ready_engine, after, KEY).username == "sheng"
    disable_user(ready_engine, ADMIN, "sheng")
    assert verify(ready_engine, after, KEY) is None


def _session_rows(engine, username: str) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(sa.text("select revoked_why from sign_in_sessions where username = :u order by issued_at"),
                            {"u": username}).all()


def test_signing_out_revokes_the_session_so_a_copied_cookie_opens_nothing(ready_engine):
    _accounts(ready_engine)
    token, other = _token(ready_engine, "mianyang"), _token(ready_engine, "mianyang")  # two browsers
    copied = str(token)  # the same cookie, copied into another browser
    assert verify(ready_engine, copied, KEY).username == "mianyang"
    assert sessions.revoke(ready_engine, token, KEY)  # 退出登录 in the first browser
    assert verify(ready_engine, copied, KEY) is None  # signature, age and account are all still fine
    assert access(ready_engine, copied, KEY) == sessions.Access("sign_in", stale=True)
    assert not sessions.revoke(ready_engine, token, KEY)  # nothing left to end
    assert verify(ready_engine, other, KEY).username == "mianyang"  # the other sign-in is its own session
    assert sessions.live_sessions(ready_engine, "mianyang") == 1
    assert not sessions.revoke(ready_engine, token + "x", KEY) and not sessions.revoke(ready_engine, None, KEY)


def test_a_password_change_or_a_disabled_account_revokes_every_session_of_it(ready_engine):
    _accounts(ready_engine)
    first, second, theirs = _token(ready_engine, "sheng"), _token(ready_engine, "sheng"), _token(ready_engine, "kan")
    set_password(ready_engine, ADMIN, "sheng", "another long secret")
    assert _session_rows(ready_engine, "sheng") == [("password",), ("password",)]
    assert verify(ready_engine, first, KEY) is None and verify(ready_engine, second, KEY) is None
    assert verify(ready_engine, theirs, KEY).username == "kan"  # other accounts keep theirs
    after = _token(ready_engine, "sheng")
    assert sessions.live_sessions(ready_engine, "sheng") == 1
    disable_user(ready_engine, ADMIN, "sheng")
    assert verify(ready_engine, after, KEY) is None and sessions.live_sessions(ready_engine, "sheng") == 0
    assert _session_rows(ready_engine, "sheng")[-1] == ("disabled",)
    changes = audit.entries(ready_engine).query("object == 'user:sheng'")["detail"].tolist()
    assert [(d["change"], d.get("sessions_ended")) for d in changes] == [("add", None), ("password", 2),
                                                                       ("disable", 1)]


def test_a_token_without_its_session_row_is_refused(ready_engine):
    """A token of the old format (no session id) or one whose row is gone is refused, however well signed."""
    _accounts(ready_engine)
    serializer = sessions._serializer(KEY)
    with ready_engine.connect() as conn:
        password_hash = conn.scalar(sa.text("select password_hash from users where username = 'kan'"))
    fingerprint = sessions._fingerprint(password_hash)
    assert verify(ready_engine, serializer.dumps({"u": "kan", "f": fingerprint}), KEY) is None
    assert verify(ready_engine, serializer.dumps({"u": "kan", "f": fingerprint, "s": "made-up"}), KEY) is None
    # someone else's session id under one's own name is no better
    token = _token(ready_engine, "admin1")
    session_id = serializer.loads(token)["s"]
    assert verify(ready_engine, serializer.dumps({"u": "kan", "f": fingerprint, "s": session_id}), KEY) is None


def test_expired_sessions_are_refused_and_cleared_away(ready_engine):
    _accounts(ready_engine)
    now = datetime.now(timezone.utc)
    old = _token(ready_engine, "kan", issued_at=now - timedelta(days=9))
    fresh = _token(ready_engine, "kan")
    assert verify(ready_engine, fresh, KEY, now=now + timedelta(hours=11)).username == "kan"
    assert verify(ready_engine, fresh, KEY, now=now + timedelta(hours=13)) is None  # the row's own expiry
    assert verify(ready_engine, old, KEY, max_age=timedelta(days=30)) is None
    _token(ready_engine, "kan")  # a sign-in clears away sessions that expired over a week ago
    assert len(_session_rows(ready_engine, "kan")) == 2


def test_a_protected_download_is_read_only_for_a_session_that_may_still_see_the_page(ready_engine):
    _accounts(ready_engine)
    reads = []

    def fetch() -> bytes:
        reads.append(1)
        return b"evidence"

    token = _token(ready_engine, "kan")
    download = sessions.guarded(ready_engine, token, KEY, "milestones", fetch)
    assert download() == b"evidence"
    assert sessions.revoke(ready_engine, token, KEY)  # signed out: the button's callable is worth nothing now
    with pytest.raises(PermissionDenied):
        download()
    with pytest.raises(PermissionDenied):  # nobody signed in (the public overview) sees no evidence either
        sessions.guarded(ready_engine, None, None, "milestones", fetch)()
    with pytest.raises(PermissionDenied):  # a viewer does not see the audit page
        sessions.guarded(ready_engine, _token(ready_engine, "kan"), KEY, "audit", fetch)()
    sso = sessions.guarded(ready_engine, None, None, "milestones", fetch, sso_email="zhang.san@sc.gov.cn")
    assert sso() == b"evidence"
    assert len(reads) == 2


# ------------------------------------------------------------------------------------------ the secret key

def test_the_generated_key_is_made_once_beside_the_database_readable_by_its_owner_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = sessions.secret_key(url, env={})
    path = tmp_path / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= sessions.MIN_KEY_CHARS
    assert sessions.secret_key(url, env={}) == first  # a second server on this machine signs alike
    other = tmp_path / "elsewhere" / "shared.key"
    assert sessions.secret_key(url, env={"TRACKER_SECRET_KEY_FILE": str(other)}) != first
    assert other.exists()
    assert sessions.secret_key(url, env={"TRACKER_SECRET_KEY": KEY}) == KEY
    with pytest.raises(SessionConfigError, match="太短"):
        sessions.secret_key(url, env={"TRACKER_SECRET_KEY": "short"})
    assert sessions.key_file("postgresql://tracker@db/tracker", env={}).name == "secret.key"


def test_session_length_and_public_overview_come_from_the_environment():
    assert sessions.session_hours({}) == 12
    assert sessions.session_hours({"TRACKER_SESSION_HOURS": "8"}) == 8
    with pytest.raises(SessionConfigError):
        sessions.session_hours({"TRACKER_SESSION_HOURS": "0"})
    assert sessions.public_overview({"TRACKER_PUBLIC_OVERVIEW": "1"})
    assert not sessions.public_overview({})
    assert not sessions.public_overview({"TRACKER_PUBLIC_OVERVIEW": "0"})


# ------------------------------------------------------------------------------------------ who acts

def test_without_accounts_everyone_acts_as_the_province_office(ready_engine):
    assert access(ready_engine, None, None) == sessions.Access("open", OPEN_ACTOR)
    assert OPEN_ACTOR.role == "province"
    add_user(ready_engine, ADMIN, "kan", PASSWORD, "viewer")
    assert access(ready_engine, None, None).mode == "sign_in"
    disable_user(ready_engine, ADMIN, "kan")  # no active account left: open again
    assert access(ready_engine, None, None).mode == "open"


def test_the_cookie_decides_who_acts_and_a_refused_one_is_marked_stale(ready_engine):
    _accounts(ready_engine)
    token = _token(ready_engine, "mianyang")
    signed = access(ready_engine, token, KEY)
    assert (signed.mode, signed.actor.username, signed.stale) == ("signed_in", "mianyang", False)
    assert access(ready_engine, None, None) == sessions.Access("sign_in")
    assert access(ready_engine, token + "x", KEY) == sessions.Access("sign_in", stale=True)
    assert access(ready_engine, None, None, public=True) == sessions.Access("public")
    assert access(ready_engine, token + "x", KEY, public=True) == sessions.Access("public", stale=True)


def test_single_sign_on_maps_an_email_to_the_local_account_of_that_name(ready_engine):
    _accounts(ready_engine)
    assert sso_actor(ready_engine, "Zhang.San@SC.gov.cn").label == "张三"
    assert sso_actor(ready_engine, "zhang.san@sc.gov.cn", email_verified=False) is None
    assert sso_actor(ready_engine, "li.si@sc.gov.cn") is None
    assert sso_actor(ready_engine, None) is None
    signed = access(ready_engine, None, None, sso_email="zhang.san@sc.gov.cn")
    assert (signed.mode, signed.actor.role) == ("signed_in", "province")
    unknown = access(ready_engine, None, None, sso_email="li.si@sc.gov.cn")
    assert (unknown.mode, unknown.sso_unknown) == ("sign_in", "li.si@sc.gov.cn")
    disable_user(ready_engine, ADMIN, "zhang.san@sc.gov.cn")
    assert sso_actor(ready_engine, "zhang.san@sc.gov.cn") is None


def test_pages_follow_the_role():
    viewer, prefecture = Actor("v", "viewer"), Actor("p", "prefecture", MIANYANG)
    province, admin = Actor("s", "province"), Actor("a", "admin")
    assert [may_see(viewer, p) for p in ("overview", "regions", "upload", "audit", "plan_import", "review")] == [
        True, True, False, False, False, False]
    assert [may_see(prefecture, p) for p in ("upload", "audit", "plan_import", "review")] == [True, False, False, True]
    assert [may_see(province, p) for p in ("upload", "audit", "plan_import", "review")] == [True, True, False, True]
    assert all(may_see(admin, p) for p in ("upload", "audit", "plan_import", "review"))
    assert [may_see(None, p) for p in ("overview", "regions", "upload")] == [True, False, False]
    assert may_see(OPEN_ACTOR, "plan_import")  # no accounts yet: nothing hidden, as before


# ------------------------------------------------------------------------------------------ audit trail view

def test_the_audit_view_filters_by_beijing_date_and_action_newest_first():
    frame = pd.DataFrame({
        "id": [1, 2, 3],
        # SQLite hands back naive UTC; 16:30 UTC on 1 March is already 2 March in Beijing
        "at": [datetime(2026, 3, 1, 2, 0), datetime(2026, 3, 1, 16, 30), datetime(2026, 3, 3, 1, 0)],
        "actor": ["admin1", "mianyang", "sheng"],
        "action": ["user", "import", "milestone"],
        "object": ["user:kan", "submission:1", "milestone:m1"],
        "sha256": [None, "ab" * 32, None],
        "detail": [{"change": "add"}, {"file": "绵阳.xlsx"}, None],
    })
    assert list(audit.filter_entries(frame, date(2026, 3, 2), date(2026, 3, 2))["id"]) == [2]
    assert list(audit.filter_entries(frame, actions=["user", "milestone"])["id"]) == [1, 3]
    table = audit.audit_table(frame)
    assert list(table.columns) == ["时间（北京时间）", "用户", "操作", "对象", "文件哈希", "详情"]
    assert list(table["用户"]) == ["sheng", "mianyang", "admin1"]
    assert table["时间（北京时间）"].iloc[1] == "2026-03-02 00:30:00"
    assert list(table["操作"]) == ["更新工作任务", "导入报表", "账户变更"]
    assert table["详情"].iloc[1] == '{"file": "绵阳.xlsx"}'
    assert audit.action_label("something_new") == "something_new"


def test_the_audit_view_reads_the_stored_trail(ready_engine):
    add_user(ready_engine, ADMIN, "kan", PASSWORD, "viewer")
    import_bytes(ready_engine, xlsx(good_rows()), "绵阳.xlsx", actor=Actor("mianyang", "prefecture", MIANYANG))
    trail = audit.entries(ready_engine)
    today = datetime.now(timezone(timedelta(hours=8))).date()
    shown = audit.audit_table(audit.filter_entries(trail, today - timedelta(days=1), today + timedelta(days=1),
                                                   ["import"]))
    assert list(shown["用户"]) == ["mianyang"] and len(shown["文件哈希"].iloc[0]) == 64
    assert audit.filter_entries(trail, today + timedelta(days=2)).empty


# ------------------------------------------------------------------------------------------ the app (AppTest)

@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """A SQLite database with the schema and the accounts; the app reads it through the environment."""
    from tracker.store import init_database
    from tracker.store.db import get_engine

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_SECRET_KEY", KEY)
    monkeypatch.delenv("TRACKER_PUBLIC_OVERVIEW", raising=False)
    engine = get_engine(url)
    init_database(engine)
    yield engine
    engine.dispose()


def _app(**state) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    return next(b for b in at.button if b.label == "登录").click().run()


def _signed_in(username: str, **state) -> AppTest:
    """Signed in through the form, then app.py run again (AppTest reruns only the page file otherwise)."""
    at = _app(**state)
    _submit(at, username, PASSWORD)
    _rerun_app(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rerun_app(at: AppTest) -> AppTest:
    """Run app.py itself again. AppTest reruns only the page a run finished on, and it knows app.py as a page
    only after a run of a page file (through Streamlit's pages/-folder fallback), hence the extra run."""
    try:
        at.switch_page("app.py")
    except ValueError:
        at.run()
        at.switch_page("app.py")
    return at.run()


def _cookie_scripts(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body]


def test_without_accounts_the_app_opens_and_says_everyone_acts_as_a_province_user(app_db):
    at = _app()
    assert [t.value for t in at.title] == [LANDING]
    notice = next(w.value for w in at.sidebar.warning if "尚未设置账户" in w.value)
    assert "tracker user add" not in notice and "系统管理员" in notice  # no command line for every visitor
    assert not [b for b in at.sidebar.button if b.key == "sign_out"]


def test_the_sign_in_form_refuses_a_wrong_password_in_chinese_and_then_signs_in(app_db):
    _accounts(app_db)
    at = _app()
    assert [t.value for t in at.title] == ["登录"]
    _submit(at, "admin1", "wrong password!!")
    assert [e.value for e in at.error] == ["用户名或密码不正确"]
    _submit(at, "admin1", PASSWORD)
    script = _cookie_scripts(_rerun_app(at))
    assert [t.value for t in at.title] == [LANDING]
    assert "当前用户：省人社厅管理员（管理员）" in [c.value for c in at.sidebar.caption]
    assert len(script) == 1 and "SameSite=Strict" in script[0] and "Max-Age=43200" in script[0]
    assert "'https:' ? '; Secure'" in script[0]
    assert verify(app_db, script[0].split('"')[3], KEY).username == "admin1"  # the cookie's value is the token


def test_too_many_failures_show_the_rate_limit_message(app_db):
    _accounts(app_db)
    at = _app()
    for _ in range(5):
        _submit(at, "kan", "guess guess guess")
    _submit(at, "kan", PASSWORD)
    assert any("登录失败次数过多" in e.value for e in at.error)
    assert [t.value for t in _rerun_app(at).title] == ["登录"]


def test_signing_out_returns_to_the_sign_in_page_and_clears_the_cookie(app_db):
    _accounts(app_db)
    at = _signed_in("sheng", as_of="2023-06")
    at.sidebar.button(key="sign_out").click().run()
    assert [t.value for t in at.title] == ["登录"]
    assert any("Max-Age=0" in s for s in _cookie_scripts(at))
    assert at.session_state["as_of"] == "2023-06"  # the view's choices stay; the account's state goes
    assert "_session_token" not in at.session_state


def test_a_viewer_may_read_but_gets_no_upload_or_measure_update(app_db):
    _accounts(app_db)
    at = _signed_in("kan")
    for hidden in ("pages/upload.py", "pages/audit.py", "pages/plan_import.py", "pages/review.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(hidden)
    at.switch_page("pages/milestones.py").run()
    assert not at.exception
    assert any("无权更新" in c.value for c in at.caption)
    assert not [b for b in at.button if "保存" in b.label]


def test_a_prefecture_user_uploads_for_its_own_prefecture_under_its_name(app_db):
    _accounts(app_db)
    at = _signed_in("mianyang", upload_prefecture="510100")  # a stale choice of 成都 is overridden
    at.switch_page("pages/upload.py").run()
    box = at.selectbox(key="upload_prefecture")
    assert (box.options, box.value, box.disabled) == (["绵阳市"], MIANYANG, True)
    assert not [e for e in at.expander if "目标分解" in e.label]  # allocations are the province's
    at.selectbox(key="upload_period").set_value("2023-06").run()
    at.file_uploader(key="upload_files").set_value(
        [("绵阳6月.xlsx", filled_template(figures=JUNE), "application/octet-stream")]).run()
    assert not at.checkbox  # a clean return: no warning to confirm
    commits = [b for b in at.button if b.key and b.key.startswith("commit_")]
    commits[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with app_db.connect() as conn:
        assert conn.execute(sa.text("select uploader, prefecture_code from submissions")).one() == (
            "绵阳市人社局", MIANYANG)
    assert list(audit.entries(app_db).query("action == 'import'")["actor"]) == ["mianyang"]


def test_a_province_user_records_a_measure_update_under_its_own_name(app_db):
    _accounts(app_db)
    at = _signed_in("sheng")
    at.switch_page("pages/milestones.py").run()
    next(b for b in at.button if "保存" in b.label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(audit.entries(app_db).query("action == 'milestone'")["actor"]) == ["sheng"]


def test_the_audit_page_shows_the_trail_to_admins_filtered_and_downloadable(app_db):
    _accounts(app_db)
    at = _signed_in("admin1")
    at.switch_page("pages/audit.py").run()
    assert [t.value for t in at.title] == ["审计日志"]
    table = table_of(at.table[0])
    assert set(table["操作"]) == {"账户变更"} and len(table) == 5
    assert "root" in set(table["用户"])
    assert [b.proto.label for b in at.get("download_button")] == ["下载表格（Excel）"]
    at.multiselect(key="audit_actions").set_value([]).run()
    assert not at.table and "无记录。" in [c.value for c in at.caption]  # an empty table says so in words


SSO = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": KEY, "client_id": "tracker",
       "client_secret": "s", "server_metadata_url": "https://sso.intranet/.well-known/openid-configuration"}


def _sso_app(user: dict | None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.secrets["auth"] = SSO
    if user is not None:
        at.user = user
    return at.run()


def test_single_sign_on_is_offered_only_when_configured_and_maps_to_the_local_account(app_db):
    _accounts(app_db)
    assert not [b for b in _app().button if b.key == "sso_sign_in"]
    at = _sso_app({"is_logged_in": False})
    assert [b.label for b in at.button if b.key == "sso_sign_in"] == ["使用统一身份认证登录"]
    at = _sso_app({"is_logged_in": True, "email": "zhang.san@sc.gov.cn", "name": "张三"})
    assert [t.value for t in at.title] == [LANDING]
    assert "当前用户：张三（省级用户）" in [c.value for c in at.sidebar.caption]
    at = _sso_app({"is_logged_in": True, "email": "li.si@sc.gov.cn"})
    assert [t.value for t in at.title] == ["登录"]
    assert any("li.si@sc.gov.cn" in shown(e.value) for e in at.error)
    assert [b.key for b in at.button if b.key in ("sso_sign_in", "sso_sign_out")] == ["sso_sign_out"]


def test_the_public_overview_shows_the_overview_only_with_no_downloads(app_db, monkeypatch):
    _accounts(app_db)
    monkeypatch.setenv("TRACKER_PUBLIC_OVERVIEW", "1")
    at = _app(view="present")
    assert [t.value for t in at.title] == ["目标进度总览"]  # not the slides: they are for those signed in
    assert any("公开浏览" in i.value for i in at.sidebar.info)
    assert not at.get("download_button")
    assert not [b for b in at.sidebar.button if b.key in ("present_enter", "sign_out")]
    for hidden in ("pages/regions.py", "pages/upload.py", "pages/audit.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(hidden)
    at.switch_page("pages/signin.py").run()  # the 登录 link
    assert [t.value for t in at.title] == ["登录"]


def test_streamlit_is_configured_hardened_and_the_key_file_is_never_committed():
    import tomllib

    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == 10  # TRACKER_MAX_UPLOAD_MB's default (loaders/workbooks.py)
    ignored = (PROJECT / ".gitignore").read_text(encoding="utf-8").split()
    assert "secret.key" in ignored and ".streamlit/secrets.toml" in ignored
