"""Alembic environment: the engine comes from tracker.store.db (or TRACKER_DATABASE_URL when run by the alembic CLI)."""
from alembic import context

from tracker.store.db import get_engine
from tracker.store.models import Base

config = context.config
engine = config.attributes.get("engine") or get_engine()

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
