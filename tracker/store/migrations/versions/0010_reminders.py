"""reminders (催报) sent to late prefectures, append-only, at most one per prefecture, month and stage

Revision ID: 0010
Revises: 0009

``tracker remind`` (and the 报送情况 page) writes each late prefecture a notice after the deadline and, after a
configured number of days without a return, a second one to the escalation contact. A notice is recorded here as it
is sent (channels, recipients, outcome); the unique key is what makes a daily cron run never send one twice.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE = [
    "CREATE TRIGGER reminders_no_update BEFORE UPDATE ON reminders "
    "BEGIN SELECT RAISE(ABORT, 'reminders is append-only'); END",
    "CREATE TRIGGER reminders_no_delete BEFORE DELETE ON reminders "
    "BEGIN SELECT RAISE(ABORT, 'reminders is append-only'); END",
    "CREATE TRIGGER reminders_no_replace BEFORE INSERT ON reminders "
    "WHEN EXISTS (SELECT 1 FROM reminders WHERE id = NEW.id OR (plan_id = NEW.plan_id AND "
    "prefecture_code = NEW.prefecture_code AND period = NEW.period AND stage = NEW.stage)) "
    "BEGIN SELECT RAISE(ABORT, 'reminders is append-only'); END",
]
_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION reminders_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'reminders is append-only'; END $$",
    "CREATE TRIGGER reminders_no_change BEFORE UPDATE OR DELETE ON reminders "
    "FOR EACH ROW EXECUTE FUNCTION reminders_append_only()",
    "CREATE TRIGGER reminders_no_truncate BEFORE TRUNCATE ON reminders "
    "FOR EACH STATEMENT EXECUTE FUNCTION reminders_append_only()",
]


def upgrade() -> None:
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('prefecture_code', sa.String(length=12), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('counties', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('plan_id', 'prefecture_code', 'period', 'stage', name=op.f('uq_reminders_once')),
    )
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS reminders_no_change ON reminders")
        op.execute("DROP TRIGGER IF EXISTS reminders_no_truncate ON reminders")
        op.execute("DROP FUNCTION IF EXISTS reminders_append_only()")
    op.drop_table('reminders')
