"""Alembic environment: the engine comes from tracker.store.db (or TRACKER_DATABASE_URL when run by the alembic CLI).

On SQLite, a migration that changes a column rebuilds its table (copy, drop, rename: SQLite cannot alter a
column). With foreign keys enforced, dropping a table that other rows point at fails, so, as SQLite's own
procedure for altering tables says, enforcement is switched off for the migration (it cannot be switched inside a
transaction) and the keys are checked before the transaction commits: a migration that broke one rolls back.
"""
from alembic import context

from tracker.store.db import get_engine
from tracker.store.models import Base

config = context.config
engine = config.attributes.get("engine") or get_engine()
sqlite = engine.dialect.name == "sqlite"

with engine.connect() as connection:
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
