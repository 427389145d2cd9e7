"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, and a demo database per backend.

PostgreSQL is required: a missing server fails the run (set TRACKER_SKIP_PG=1 to skip it on a machine without
one; CI never sets it). Each PostgreSQL test gets its own schema, selected through the connection URL, so the URL
alone carries the isolation into subprocesses (the CLI) and into the Streamlit app under test.
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("TRACKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]
PROJECT = Path(__file__).resolve().parent.parent


def shown(markdown: str) -> str:
    """What a reader sees of Markdown whose stored text went through ``escape_markdown``
    (tracker/outputs/text.py): its backslash escapes and invisible word joiners undone. AppTest hands back the
    Markdown source."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def table_of(element):
    """An AppTest table (``st.table``) as a reader sees it: its cells and headers with the Markdown escapes undone
    (``ui.show_table`` escapes every text, since a static table's cells are Markdown)."""
    frame = element.value.copy()
    frame.columns = [shown(str(c)) for c in frame.columns]
    for column in frame.columns:
        frame[column] = [shown(v) if isinstance(v, str) else v for v in frame[column]]
    return frame


def _pg_admin() -> sa.Engine:
    if os.environ.get("TRACKER_SKIP_PG") == "1":
        pytest.skip("TRACKER_SKIP_PG=1: PostgreSQL tests skipped on this machine")
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required at {PG_ADMIN_URL} (set TRACKER_SKIP_PG=1 to skip locally): {exc}")
    return engine


def _new_url(backend: str, directory: Path) -> tuple[str, callable]:
    """A URL to an empty database of ``backend`` and a function that removes it."""
    if backend == "sqlite":
        return f"sqlite:///{directory / 'tracker.db'}", lambda: None
    admin = _pg_admin()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()

    return f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}", drop


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, monkeypatch) -> Iterator[str]:
    """An empty database on each backend; TRACKER_DATABASE_URL points at it for code that reads the env."""
    url, drop = _new_url(request.param, tmp_path)
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    yield url
    _dispose(url)
    drop()


def _dispose(url: str) -> None:
    from tracker.store.db import get_engine

    get_engine(url).dispose()


@pytest.fixture
def engine(database_url):
    from tracker.store.db import get_engine

    return get_engine(database_url)


@pytest.fixture
def ready_engine(engine):
    """A database with the schema, plans and regions loaded, and no figures."""
    from tracker.store import init_database

    init_database(engine)
    return engine


@pytest.fixture
def app_url(ready_engine, database_url) -> Iterator[str]:
    """The real app (``streamlit run app.py``) served on a fresh database with the plans and regions loaded."""
    from tests.browsing import running_app

    with running_app(database_url) as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def demo_url(request, tmp_path_factory) -> Iterator[str]:
    """A database with the demo data loaded, shared by the read-only tests of one backend."""
    from loaders.plans import load_plans
    from loaders.regions import load_divisions, resolve_scopes
    from tracker.store import init_database
    from tracker.store.db import get_engine
    from tracker.store.demo import load_demo

    url, drop = _new_url(request.param, tmp_path_factory.mktemp(f"demo-{request.param}"))
    engine = get_engine(url)
    init_database(engine)
    plan = load_plans()["sichuan-2023-citizenization"]
    load_demo(engine, plan, load_divisions(), resolve_scopes(plan))
    yield url
    engine.dispose()
    drop()


@pytest.fixture
def demo_env(demo_url, monkeypatch) -> str:
    monkeypatch.setenv("TRACKER_DATABASE_URL", demo_url)
    return demo_url


@pytest.fixture(scope="session", autouse=True)
def _default_database_untouched():
    """Tests never touch the app's own SQLite file."""
    path = PROJECT / "data" / "tracker.db"
    before = path.stat().st_mtime_ns if path.exists() else None
    yield
    after = path.stat().st_mtime_ns if path.exists() else None
    assert before == after, "a test wrote to data/tracker.db"


# ------------------------------------------------------------------------------------------ browser tests


@pytest.fixture(scope="module")
def server(demo_url):
    """``streamlit run app.py`` on a free port against the demo database of one backend, for a test module."""
    from tests.browsing import running_app

    with running_app(demo_url) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, one per test module."""
    from tests.browsing import chromium

    with chromium() as instance:
        yield instance
