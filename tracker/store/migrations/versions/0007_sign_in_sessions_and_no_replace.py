"""sign-in sessions kept server-side; append-only tables refuse a replace or an upsert

Revision ID: 0007
Revises: 0006

Two findings of the penetration test (#13):

- Signing out did not end a session: the token was checked only for its signature, its age and the account, so a
  copied cookie stayed valid for its remaining hours. ``sign_in_sessions`` records every token issued (its id is in
  the signed token) and when it was revoked; every run checks it (tracker/access/sessions.py).
- On SQLite ``INSERT OR REPLACE`` (``REPLACE INTO``) deletes the row it collides with and inserts another, and no
  DELETE trigger fires for it (recursive triggers are off); ``INSERT … ON CONFLICT DO UPDATE`` (an upsert) rewrites
  it. So the append-only tables could be rewritten. A BEFORE INSERT trigger now refuses any row whose key (or, for
  ``evidence_files``, whose content hash) is already there; it fires before the conflict is resolved, whatever the
  statement's conflict clause. The append-only tables are those the code only ever adds to: ``audit_log`` and
  ``reviews`` (triggers since 0003 and 0004), and ``reported_values``, ``allocations``, ``milestone_updates`` and
  ``evidence_files``, which get their UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) triggers here as well. On
  PostgreSQL an upsert runs the UPDATE triggers and ``MERGE`` the UPDATE and DELETE ones, so refusing those is
  enough there; ``INSERT OR REPLACE`` is not PostgreSQL. ``submissions`` (its status changes when reviewed),
  ``current_figures`` (derived, rewritten), accounts, sign-in attempts and ``sign_in_sessions`` (revoked by an
  update) are not append-only.

A restore (tracker/store/backup.py) inserts into an empty database, which none of these triggers refuse.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: append-only table → the columns any of whose values may not be inserted twice (its unique keys)
APPEND_ONLY = {
    "audit_log": ("id",),
    "reviews": ("id",),
    "reported_values": ("id",),
    "allocations": ("id",),
    "milestone_updates": ("id",),
    "evidence_files": ("id", "sha256"),
}
#: those that had no UPDATE/DELETE triggers before this revision
NEWLY_APPEND_ONLY = ("reported_values", "allocations", "milestone_updates", "evidence_files")


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, keys in APPEND_ONLY.items():
        clash = " OR ".join(f"{key} = NEW.{key}" for key in keys)
        statements.append(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {clash}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    for table in NEWLY_APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
    ]
    for table in NEWLY_APPEND_ONLY:
        statements += [
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION append_only()",
        ]
    return statements


def upgrade() -> None:
    op.create_table('sign_in_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_why', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['username'], ['users.username'], name=op.f('fk_sign_in_sessions_username_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_sessions'))
    )
    op.create_index('ix_sign_in_sessions_username', 'sign_in_sessions', ['username'])

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _sqlite_triggers, "postgresql": _postgresql_triggers}.get(dialect, list)():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
        for table in NEWLY_APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    elif dialect == "postgresql":
        for table in NEWLY_APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS append_only()")
    op.drop_index('ix_sign_in_sessions_username', table_name='sign_in_sessions')
    op.drop_table('sign_in_sessions')
