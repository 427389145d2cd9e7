"""cell returns (退回单元格): single figures or target columns of a submission returned for correction, append-only

Revision ID: 0012
Revises: 0011

A province reviewer returns one county's figure for a target (or a target's whole column) of a submission with a
message; the figure stops counting, the rest of the submission counts, and a re-upload or online correction of only
those cells completes the return. The current figures leave returned cells out (tracker/store/current.py): they are
worked out again here, though no cell has been returned yet, so the table and the rule agree from the start.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE = [
    "CREATE TRIGGER cell_returns_no_update BEFORE UPDATE ON cell_returns "
    "BEGIN SELECT RAISE(ABORT, 'cell_returns is append-only'); END",
    "CREATE TRIGGER cell_returns_no_delete BEFORE DELETE ON cell_returns "
    "BEGIN SELECT RAISE(ABORT, 'cell_returns is append-only'); END",
    "CREATE TRIGGER cell_returns_no_replace BEFORE INSERT ON cell_returns "
    "WHEN EXISTS (SELECT 1 FROM cell_returns WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'cell_returns is append-only'); END",
]
_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION cell_returns_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'cell_returns is append-only'; END $$",
    "CREATE TRIGGER cell_returns_no_change BEFORE UPDATE OR DELETE ON cell_returns "
    "FOR EACH ROW EXECUTE FUNCTION cell_returns_append_only()",
    "CREATE TRIGGER cell_returns_no_truncate BEFORE TRUNCATE ON cell_returns "
    "FOR EACH STATEMENT EXECUTE FUNCTION cell_returns_append_only()",
]


def upgrade() -> None:
    op.create_table('cell_returns',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                            name=op.f('fk_cell_returns_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cell_returns')),
    )
    with op.batch_alter_table('cell_returns') as batch:
        batch.create_index('ix_cell_returns_submission', ['submission_id', 'target_id'], unique=False)
    for statement in {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS cell_returns_no_change ON cell_returns")
        op.execute("DROP TRIGGER IF EXISTS cell_returns_no_truncate ON cell_returns")
        op.execute("DROP FUNCTION IF EXISTS cell_returns_append_only()")
    op.drop_table('cell_returns')
