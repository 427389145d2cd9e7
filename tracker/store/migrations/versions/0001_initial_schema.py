"""initial schema

Revision ID: 0001
Revises: 

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('plans',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    op.create_table('regions',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('short_name', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['regions.code'], name=op.f('fk_regions_parent_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('milestones',
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('task', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_milestones_plan_id_plans')),
    sa.PrimaryKeyConstraint('plan_id', 'id', name=op.f('pk_milestones'))
    )
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('prefecture_code', sa.String(length=6), nullable=True),
    sa.Column('uploader', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('n_values', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_submissions_plan_id_plans')),
    sa.ForeignKeyConstraint(['prefecture_code'], ['regions.code'], name=op.f('fk_submissions_prefecture_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_plan_period', ['plan_id', 'period', 'prefecture_code'], unique=False)

    op.create_table('targets',
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_targets_plan_id_plans')),
    sa.PrimaryKeyConstraint('plan_id', 'id', name=op.f('pk_targets'))
    )
    op.create_table('allocations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('uploader', sa.String(length=128), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id', 'target_id'], ['targets.plan_id', 'targets.id'], name='fk_allocations_target'),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_allocations_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocations'))
    )
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.create_index('ix_allocations_lookup', ['plan_id', 'target_id', 'region_code', 'id'], unique=False)

    op.create_table('milestone_updates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('milestone_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.String(length=7), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id', 'milestone_id'], ['milestones.plan_id', 'milestones.id'], name='fk_milestone_updates_milestone'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_updates'))
    )
    with op.batch_alter_table('milestone_updates', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_updates_lookup', ['plan_id', 'milestone_id', 'id'], unique=False)

    op.create_table('reported_values',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id', 'target_id'], ['targets.plan_id', 'targets.id'], name='fk_reported_values_target'),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_reported_values_region_code_regions')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_reported_values_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reported_values'))
    )
    with op.batch_alter_table('reported_values', schema=None) as batch_op:
        batch_op.create_index('ix_reported_values_lookup', ['plan_id', 'target_id', 'region_code', 'period', 'submission_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('reported_values', schema=None) as batch_op:
        batch_op.drop_index('ix_reported_values_lookup')

    op.drop_table('reported_values')
    with op.batch_alter_table('milestone_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_updates_lookup')

    op.drop_table('milestone_updates')
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_index('ix_allocations_lookup')

    op.drop_table('allocations')
    op.drop_table('targets')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_plan_period')

    op.drop_table('submissions')
    op.drop_table('milestones')
    op.drop_table('regions')
    op.drop_table('plans')
