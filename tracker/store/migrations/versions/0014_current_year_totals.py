"""current year totals: each calendar year's sum of a (target, county)'s current figures, kept as a table

Revision ID: 0014
Revises: 0013

A multi-year target summed over months (``aggregation.months: sum``) read every month of every closed year of its
period at each page: at national scale 171,000 figures a target. Its closed years change only when a figure of
theirs does, so their sums are kept beside the current figures, in step with them (tracker/store/current.py), and
filled here from the current figures already stored. The sum below is a frozen copy of the rule in
tracker/store/current.py at this revision.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('current_year_totals',
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('year', sa.String(length=4), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', 'target_id', 'is_demo', 'year', 'region_code',
                            name=op.f('pk_current_year_totals')),
    sqlite_with_rowid=False,
    )
    op.execute(
        "insert into current_year_totals (plan_id, target_id, is_demo, year, region_code, value) "
        "select plan_id, target_id, is_demo, substr(period, 1, 4), region_code, sum(value) from current_figures "
        "group by plan_id, target_id, is_demo, substr(period, 1, 4), region_code"
    )


def downgrade() -> None:
    op.drop_table('current_year_totals')
