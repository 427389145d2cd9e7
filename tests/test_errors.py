"""No traceback reaches a user: a page's error is one line with an id, the server log has the rest; Streamlit's own
control flow (st.stop, st.rerun, st.switch_page) passes through. The real server (showErrorDetails, a deep link
first after a restart) is tested in tests/test_browser_security.py."""
from __future__ import annotations

import logging
import re
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT


@pytest.fixture
def open_app(tmp_path, monkeypatch):
    """The app on an empty SQLite database with no account (everyone acts as the province office)."""
    from tracker.store import init_database
    from tracker.store.db import get_engine

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.delenv("TRACKER_PUBLIC_OVERVIEW", raising=False)
    engine = get_engine(url)
    init_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def ui_log():
    """What ui.context logs (Streamlit's loggers do not propagate to pytest's caplog)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("tracker.ui")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def _broken_cards(monkeypatch) -> None:
    import tracker.outputs.cards as cards

    def card_html(*args, **kwargs):
        raise RuntimeError("数据库密码是 hunter2")  # what a traceback would have shown

    monkeypatch.setattr(cards, "card_html", card_html)


@pytest.mark.parametrize("lang, line", [("zh", "页面出错"), ("en", "Something went wrong on this page")])
def test_a_page_error_is_one_line_with_an_id_that_the_log_holds(open_app, monkeypatch, ui_log, lang, line):
    _broken_cards(monkeypatch)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.query_params["as_of"] = "2023-06"  # a month's overview (the ended plan would open on its evaluation)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and line in errors[0]
    error_id = re.search(r"\b[0-9a-f]{8}\b", errors[0]).group()
    everything = "\n".join(str(e.value) for kind in ("markdown", "caption", "error", "title") for e in at.get(kind))
    assert "hunter2" not in everything and "Traceback" not in everything
    assert at.sidebar.selectbox, "the sidebar and menu still work around the broken page"
    logged = [r for r in ui_log if error_id in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info and "hunter2" in str(logged[0].exc_info[1])


def test_an_error_outside_the_page_is_reported_the_same_way(open_app, monkeypatch, ui_log):
    from tracker.access import sessions

    def broken(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(sessions, "accounts_exist", broken)  # app.py's gate, before any page
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60).run()
    assert not at.exception and len(at.error) == 1 and "页面出错" in at.error[0].value
    assert any("app.py" in r.getMessage() for r in ui_log)


def test_streamlit_control_flow_passes_through():
    def script():
        import streamlit as st

        from ui.context import reported_errors

        runs = st.session_state.setdefault("runs", [])
        runs.append(len(runs))
        with reported_errors("test"):
            if len(runs) == 1:
                st.rerun()  # RerunException: the script starts again, no error shown
            st.write("shown")
            st.stop()  # StopException: nothing after it runs, no error shown
        st.write("never")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception and not at.error
    assert at.session_state["runs"] == [0, 1]
    assert [m.value for m in at.markdown] == ["shown"]


def test_streamlit_shows_no_error_details():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_a_deep_link_to_a_page_the_menu_lacks_falls_back_to_the_default_page(open_app):
    """run_navigation's ``next(...)`` raised StopIteration when the page a first deep link asked for was not in
    the menu (signed out, or not allowed)."""
    from tracker.access.accounts import add_user
    from tracker.access.roles import Actor

    add_user(open_app, Actor("root", "admin"), "kan", "a long enough secret", "viewer")
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["_intended_page"] = "pages/upload.py"  # what ui.context leaves for app.py
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["登录"]
