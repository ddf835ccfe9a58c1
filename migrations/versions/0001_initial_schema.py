"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 23:00:38.589321
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('area',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=9), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['area.code'], name=op.f('fk_area_parent_code_area')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_area'))
    )
    op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.create_table('import_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.Text(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.Text(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_stored', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_log'))
    )
    op.create_table('incident',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('force_code', sa.String(length=9), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('crime_id', sa.String(length=64), nullable=True),
    sa.Column('crime_type', sa.String(length=32), nullable=False),
    sa.Column('district_code', sa.String(length=9), nullable=True),
    sa.Column('lsoa_code', sa.String(length=9), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('last_outcome', sa.Text(), nullable=True),
    sa.Column('last_outcome_month', sa.String(length=7), nullable=True),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_crime_id', ['crime_id'], unique=False)
        batch_op.create_index('ix_incident_force_month', ['force_code', 'month'], unique=False)

    op.create_table('incident_count',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('force_code', sa.String(length=9), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('crime_type', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_count'))
    )
    with op.batch_alter_table('incident_count', schema=None) as batch_op:
        batch_op.create_index('ix_incident_count_area', ['area_code', 'crime_type', 'month', 'count', 'is_synthetic'], unique=False)
        batch_op.create_index('ix_incident_count_force_month', ['force_code', 'month'], unique=False)

    op.create_table('place',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('lsoa_code', sa.String(length=9), nullable=False),
    sa.Column('district_code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
    sa.UniqueConstraint('lsoa_code', 'name', 'longitude', 'latitude', name=op.f('uq_place_lsoa_code'))
    )
    op.create_table('place_count',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('force_code', sa.String(length=9), nullable=False),
    sa.Column('district_code', sa.String(length=9), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('crime_type', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_count'))
    )
    with op.batch_alter_table('place_count', schema=None) as batch_op:
        batch_op.create_index('ix_place_count_district', ['district_code', 'month', 'crime_type', 'place_id', 'count'], unique=False)
        batch_op.create_index('ix_place_count_force_month', ['force_code', 'month'], unique=False)

    op.create_table('population',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', 'year', name=op.f('pk_population'))
    )
    op.create_table('loaded_month',
    sa.Column('force_code', sa.String(length=9), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.Column('rows_stored', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['force_code'], ['area.code'], name=op.f('fk_loaded_month_force_code_area')),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], name=op.f('fk_loaded_month_import_id_import_log')),
    sa.PrimaryKeyConstraint('force_code', 'month', name=op.f('pk_loaded_month'))
    )
    op.create_table('lsoa',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('district_code', sa.String(length=9), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['area.code'], name=op.f('fk_lsoa_district_code_area')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_lsoa'))
    )
    op.create_table('series',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['import_log.id'], name=op.f('fk_series_import_id_import_log')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series'))
    )
    op.create_table('series_value',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('series_id', sa.String(length=80), nullable=False),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('period_type', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.String(length=7), nullable=False),
    sa.Column('category', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_table', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['area.code'], name=op.f('fk_series_value_area_code_area')),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_series_value_series_id_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series_value')),
    sa.UniqueConstraint('series_id', 'area_code', 'period', 'category', name=op.f('uq_series_value_series_id'))
    )


def downgrade() -> None:
    op.drop_table('series_value')
    op.drop_table('series')
    op.drop_table('lsoa')
    op.drop_table('loaded_month')
    op.drop_table('population')
    with op.batch_alter_table('place_count', schema=None) as batch_op:
        batch_op.drop_index('ix_place_count_force_month')
        batch_op.drop_index('ix_place_count_district')

    op.drop_table('place_count')
    op.drop_table('place')
    with op.batch_alter_table('incident_count', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_count_force_month')
        batch_op.drop_index('ix_incident_count_area')

    op.drop_table('incident_count')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_force_month')
        batch_op.drop_index('ix_incident_crime_id')

    op.drop_table('incident')
    op.drop_table('import_log')
    op.drop_table('data_version')
    op.drop_table('area')
