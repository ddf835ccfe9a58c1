"""all-crime rows in place_count

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 07:30:00
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per place and month for all crime but ASB, summed from the per-type rows, as
    # imports keep them from now on (``queries.count_tables.add_all_crime_place_counts``).
    op.execute(
        "INSERT INTO place_count (force_code, district_code, month, place_id, crime_type, count, is_synthetic) "
        "SELECT force_code, district_code, month, place_id, 'all-crime', SUM(count), is_synthetic FROM place_count "
        "WHERE crime_type NOT IN ('anti-social-behaviour', 'all-crime') "
        "GROUP BY force_code, district_code, month, place_id, is_synthetic"
    )


def downgrade() -> None:
    op.execute("DELETE FROM place_count WHERE crime_type = 'all-crime'")
