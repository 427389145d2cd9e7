"""current figures: the newest accepted figure of each (target, county, month), kept as a table

Revision ID: 0006
Revises: 0005

Progress used to rank every stored figure of the months it read to find each cell's newest accepted one: most of
the national progress table's time. This table holds the answer, kept in step at every write (tracker/store/current.py),
and is filled here from the values already stored. The ranking below is a frozen copy of the rule in
tracker/store/current.py at this revision.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('current_figures',
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', 'target_id', 'period', 'region_code', 'is_demo', name=op.f('pk_current_figures')),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_current_figures_county', 'current_figures',
                    ['plan_id', 'target_id', 'is_demo', 'region_code', 'period', 'value'])
    if op.get_bind().dialect.name == "postgresql":  # without statistics the planner's choice took half an hour
        op.execute("analyze reported_values")
        op.execute("analyze submissions")
    op.execute(
        "insert into current_figures (plan_id, target_id, period, region_code, is_demo, value, submission_id) "
        "select plan_id, target_id, period, region_code, is_demo, value, submission_id from ("
        " select rv.plan_id, rv.target_id, rv.period, rv.region_code, s.is_demo, rv.value, rv.submission_id,"
        "  row_number() over (partition by rv.plan_id, rv.target_id, rv.period, rv.region_code, s.is_demo"
        "                     order by rv.submission_id desc) as rank"
        " from reported_values rv join submissions s on s.id = rv.submission_id"
        " where s.status = 'accepted') ranked "
        "where rank = 1"
    )


def downgrade() -> None:
    op.drop_index('ix_current_figures_county', table_name='current_figures')
    op.drop_table('current_figures')
