"""Connecting to the database and bringing its schema up to date.

SQLite is the default so that the app runs with one command; ``TRACKER_DATABASE_URL`` selects PostgreSQL (or another
SQLite file). The schema is only ever changed by Alembic migrations, never by ``create_all``, so a deployed
database and a fresh one are the same.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, make_url

from tracker import DATA_DIR

DEFAULT_URL = f"sqlite:///{DATA_DIR / 'tracker.db'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    return os.environ.get("TRACKER_DATABASE_URL") or DEFAULT_URL


def _normalise(url: str) -> str:
    """Accept the plain ``postgresql://`` form people copy from elsewhere; the installed driver is psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: TRACKER_DATABASE_URL or the SQLite file), one per URL per process."""
    return _engine_for(_normalise(url or database_url()))


#: The SQLite file holds password hashes and evidence files: readable and writable by the service's user only.
PRIVATE = 0o600


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it is missing, and take group and other permissions away from it if
    it has any (a database made by an earlier version, or copied in). SQLite gives its ``-wal`` and ``-shm`` files
    the database file's permissions, so they are private too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE))
    if path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE)


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:" and not path.startswith("file:"):
            private_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - exercised by every SQLite test
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # No JIT: PostgreSQL compiles a statement whose estimated cost passes ``jit_above_cost``, and the progress
    # table's one statement over the national data passed it; compiling took 130 ms of a 1 s statement and saved
    # nothing (docs/performance.md). The app runs many short statements, which JIT never helps.
    # (kept beside any ``options`` the URL gives, such as a search_path)
    given = make_url(url).query.get("options")
    options = " ".join([*([given] if isinstance(given, str) else given or []), "-c jit=off"])
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options})


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("reported_values")
