"""target revisions (目标调整), kept append-only; a target's value may be absent (relative to a baseline)

Revision ID: 0008
Revises: 0007

A plan file may add revisions of its targets (its ``revisions:``); each is recorded here the first time the file
is read and never changed: a file that rewrites or drops a recorded revision is refused (tracker/store/__init__.py,
``sync_reference``). The table gets the same append-only triggers as the other append-only tables (0007).
``targets.value`` becomes nullable: a target relative to a baseline taken from the returns has no value of its own.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE = [
    "CREATE TRIGGER target_revisions_no_update BEFORE UPDATE ON target_revisions "
    "BEGIN SELECT RAISE(ABORT, 'target_revisions is append-only'); END",
    "CREATE TRIGGER target_revisions_no_delete BEFORE DELETE ON target_revisions "
    "BEGIN SELECT RAISE(ABORT, 'target_revisions is append-only'); END",
    "CREATE TRIGGER target_revisions_no_replace BEFORE INSERT ON target_revisions "
    "WHEN EXISTS (SELECT 1 FROM target_revisions WHERE plan_id = NEW.plan_id AND id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'target_revisions is append-only'); END",
]
_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION target_revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'target_revisions is append-only'; END $$",
    "CREATE TRIGGER target_revisions_no_change BEFORE UPDATE OR DELETE ON target_revisions "
    "FOR EACH ROW EXECUTE FUNCTION target_revisions_append_only()",
    "CREATE TRIGGER target_revisions_no_truncate BEFORE TRUNCATE ON target_revisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION target_revisions_append_only()",
]


def upgrade() -> None:
    op.create_table('target_revisions',
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('effective', sa.String(length=7), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', 'id', name=op.f('pk_target_revisions')),
    )
    with op.batch_alter_table('targets') as batch:
        batch.alter_column('value', existing_type=sa.Float(), nullable=True)
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS target_revisions_no_change ON target_revisions")
        op.execute("DROP TRIGGER IF EXISTS target_revisions_no_truncate ON target_revisions")
        op.execute("DROP FUNCTION IF EXISTS target_revisions_append_only()")
    op.drop_table('target_revisions')
    with op.batch_alter_table('targets') as batch:
        batch.alter_column('value', existing_type=sa.Float(), nullable=False)
