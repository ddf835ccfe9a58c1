"""place and lsoa: indexes on the district, so one area's map points and LSOAs are found
without reading every force's

Revision ID: 0009_district_indexes
Revises: 0008_incident_sources
Create Date: 2026-12-07 01:10:00
"""

from alembic import op

revision = '0009_district_indexes'
down_revision = '0008_incident_sources'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The hotspot view, street names and LSOA sets select an area's points and LSOAs by
    # district: without these, each such query read the whole table, every force's rows.
    op.create_index('ix_place_district_code', 'place', ['district_code', 'id'], unique=False)
    op.create_index('ix_lsoa_district_code', 'lsoa', ['district_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_lsoa_district_code', table_name='lsoa')
    op.drop_index('ix_place_district_code', table_name='place')
