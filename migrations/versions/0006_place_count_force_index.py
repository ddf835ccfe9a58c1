"""place_count: no index on force and month

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:10:00
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A force's months are found through the district index (queries.count_tables.force_months).
    op.drop_index('ix_place_count_force_month', table_name='place_count')


def downgrade() -> None:
    op.create_index('ix_place_count_force_month', 'place_count', ['force_code', 'month'], unique=False)
