"""plan closures: an ended plan closed (read-only) once its evaluation has gone upward, or reopened; append-only

Revision ID: 0013
Revises: 0012

A plan's period ending does not freeze it: the last months' returns, their reviews and corrections arrive after
the end, and the evaluation (成效评估) is written from them. The office closes the plan when the evaluation has gone
upward, and may reopen it with a reason. Each act is a row; the newest of a plan is its standing. Append-only like
the other records of what people decided.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE = [
    "CREATE TRIGGER plan_closures_no_update BEFORE UPDATE ON plan_closures "
    "BEGIN SELECT RAISE(ABORT, 'plan_closures is append-only'); END",
    "CREATE TRIGGER plan_closures_no_delete BEFORE DELETE ON plan_closures "
    "BEGIN SELECT RAISE(ABORT, 'plan_closures is append-only'); END",
    "CREATE TRIGGER plan_closures_no_replace BEFORE INSERT ON plan_closures "
    "WHEN EXISTS (SELECT 1 FROM plan_closures WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'plan_closures is append-only'); END",
]
_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION plan_closures_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'plan_closures is append-only'; END $$",
    "CREATE TRIGGER plan_closures_no_change BEFORE UPDATE OR DELETE ON plan_closures "
    "FOR EACH ROW EXECUTE FUNCTION plan_closures_append_only()",
    "CREATE TRIGGER plan_closures_no_truncate BEFORE TRUNCATE ON plan_closures "
    "FOR EACH STATEMENT EXECUTE FUNCTION plan_closures_append_only()",
]


def upgrade() -> None:
    op.create_table('plan_closures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('document', sa.String(length=128), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_closures_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_closures')),
    )
    with op.batch_alter_table('plan_closures') as batch:
        batch.create_index('ix_plan_closures_plan', ['plan_id', 'id'], unique=False)
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS plan_closures_no_change ON plan_closures")
        op.execute("DROP TRIGGER IF EXISTS plan_closures_no_truncate ON plan_closures")
        op.execute("DROP FUNCTION IF EXISTS plan_closures_append_only()")
    op.drop_table('plan_closures')
