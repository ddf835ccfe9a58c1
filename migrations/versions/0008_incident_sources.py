"""incident sources: police.uk is two sources beside partners' own records

Revision ID: 0008_incident_sources
Revises: 0007_owners_audit
Create Date: 2026-12-07 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_incident_sources'
down_revision = '0007_owners_audit'
branch_labels = None
depends_on = None

# Covering indexes that gain the source as their last column, so that reading one source
# still needs no table lookups: (table, index, columns before).
COVERING = (
    ('incident_count', 'ix_incident_count_area', ['area_code', 'crime_type', 'month', 'count', 'is_synthetic']),
    ('place_count', 'ix_place_count_district', ['district_code', 'month', 'crime_type', 'place_id', 'count']),
    ('lsoa_count', 'ix_lsoa_count_lsoa', ['lsoa_code', 'crime_type', 'month', 'count']),
)


def upgrade() -> None:
    # Every stored row is police.uk's: ASB rows become police-asb, the rest police-crime.
    for table in ('incident', 'incident_count', 'place_count', 'lsoa_count'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('source', sa.String(length=24), nullable=False,
                                          server_default='police-crime'))
        op.execute(f"UPDATE {table} SET source = 'police-asb' WHERE crime_type = 'anti-social-behaviour'")
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_date', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('weekday', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hour', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('precision', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('details', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_incident_source_month', ['source', 'month'], unique=False)
    for table, name, columns in COVERING:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
            batch_op.create_index(name, [*columns, 'source'], unique=False)
    op.create_table('source_month',
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.Column('rows_stored', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], name=op.f('fk_source_month_import_id_import_log')),
    sa.PrimaryKeyConstraint('source', 'month', name=op.f('pk_source_month'))
    )


def downgrade() -> None:
    op.drop_table('source_month')
    partner = "source NOT IN ('police-crime', 'police-asb')"
    for table in ('incident', 'incident_count', 'place_count', 'lsoa_count'):
        op.execute(f"DELETE FROM {table} WHERE {partner}")
    for table, name, columns in COVERING:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_source_month')
        for column in ('import_id', 'details', 'precision', 'hour', 'weekday', 'incident_date'):
            batch_op.drop_column(column)
    for table in ('lsoa_count', 'place_count', 'incident_count', 'incident'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('source')
