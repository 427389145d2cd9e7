"""reported values: an index by target and month, covering the value

Revision ID: 0005
Revises: 0004

The progress of a target at a month reads, for each county, the figures of the months that count (one month for
a level or a year-to-date flow): this index finds them with one range seek and answers without touching the table.
The lookup index (plan, target, county, month, submission) stays for a county's history.
"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_reported_values_month', 'reported_values',
                    ['plan_id', 'target_id', 'period', 'region_code', 'submission_id', 'value'])


def downgrade() -> None:
    op.drop_index('ix_reported_values_month', table_name='reported_values')
