"""delivery judgements (调度会): the office's own rating of each target's chance of delivery, append-only

Revision ID: 0009
Revises: 0008

A province user records, at the monthly review, how likely a target is to be delivered by its deadline (five
levels, targets/progress.yaml ``delivery_confidence``), with a reason and the review's date. A later judgement is a
new row; the database refuses to edit, delete or replace one (the same triggers as the other append-only tables).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE = [
    "CREATE TRIGGER delivery_judgements_no_update BEFORE UPDATE ON delivery_judgements "
    "BEGIN SELECT RAISE(ABORT, 'delivery_judgements is append-only'); END",
    "CREATE TRIGGER delivery_judgements_no_delete BEFORE DELETE ON delivery_judgements "
    "BEGIN SELECT RAISE(ABORT, 'delivery_judgements is append-only'); END",
    "CREATE TRIGGER delivery_judgements_no_replace BEFORE INSERT ON delivery_judgements "
    "WHEN EXISTS (SELECT 1 FROM delivery_judgements WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'delivery_judgements is append-only'); END",
]
_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION delivery_judgements_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'delivery_judgements is append-only'; END $$",
    "CREATE TRIGGER delivery_judgements_no_change BEFORE UPDATE OR DELETE ON delivery_judgements "
    "FOR EACH ROW EXECUTE FUNCTION delivery_judgements_append_only()",
    "CREATE TRIGGER delivery_judgements_no_truncate BEFORE TRUNCATE ON delivery_judgements "
    "FOR EACH STATEMENT EXECUTE FUNCTION delivery_judgements_append_only()",
]


def upgrade() -> None:
    op.create_table('delivery_judgements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_judgements')),
    )
    with op.batch_alter_table('delivery_judgements') as batch:
        batch.create_index('ix_delivery_judgements_target', ['plan_id', 'target_id', 'id'], unique=False)
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS delivery_judgements_no_change ON delivery_judgements")
        op.execute("DROP TRIGGER IF EXISTS delivery_judgements_no_truncate ON delivery_judgements")
        op.execute("DROP FUNCTION IF EXISTS delivery_judgements_append_only()")
    op.drop_table('delivery_judgements')
