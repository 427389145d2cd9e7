"""explanations (情况说明) of figures by the prefectures, append-only

Revision ID: 0011
Revises: 0010

A prefecture explains a figure of a month — one county's, or the prefecture's as a whole for a target — why it
lags, why it jumped. The newest explanation of a (prefecture, month, target, county) is the one shown; the earlier
ones are its history. Append-only like the other records of what people said.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE = [
    "CREATE TRIGGER explanations_no_update BEFORE UPDATE ON explanations "
    "BEGIN SELECT RAISE(ABORT, 'explanations is append-only'); END",
    "CREATE TRIGGER explanations_no_delete BEFORE DELETE ON explanations "
    "BEGIN SELECT RAISE(ABORT, 'explanations is append-only'); END",
    "CREATE TRIGGER explanations_no_replace BEFORE INSERT ON explanations "
    "WHEN EXISTS (SELECT 1 FROM explanations WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'explanations is append-only'); END",
]
_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION explanations_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'explanations is append-only'; END $$",
    "CREATE TRIGGER explanations_no_change BEFORE UPDATE OR DELETE ON explanations "
    "FOR EACH ROW EXECUTE FUNCTION explanations_append_only()",
    "CREATE TRIGGER explanations_no_truncate BEFORE TRUNCATE ON explanations "
    "FOR EACH STATEMENT EXECUTE FUNCTION explanations_append_only()",
]


def upgrade() -> None:
    op.create_table('explanations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('prefecture_code', sa.String(length=12), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=128), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explanations')),
    )
    with op.batch_alter_table('explanations') as batch:
        batch.create_index('ix_explanations_month', ['plan_id', 'period', 'target_id', 'id'], unique=False)
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS explanations_no_change ON explanations")
        op.execute("DROP TRIGGER IF EXISTS explanations_no_truncate ON explanations")
        op.execute("DROP FUNCTION IF EXISTS explanations_append_only()")
    op.drop_table('explanations')
