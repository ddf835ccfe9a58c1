"""unpublished_month: force-months data.police.uk did not publish, for the coverage ledger

Revision ID: 0010_coverage_ledger
Revises: 0009_district_indexes
Create Date: 2026-12-07 01:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010_coverage_ledger'
down_revision = '0009_district_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'unpublished_month',
        sa.Column('force_code', sa.String(length=9), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('force_code', 'month', name=op.f('pk_unpublished_month')),
    )


def downgrade() -> None:
    op.drop_table('unpublished_month')
