"""interventions, targets and monthly counts per LSOA

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lsoa_count',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('force_code', sa.String(length=9), nullable=False),
    sa.Column('lsoa_code', sa.String(length=9), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('crime_type', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('is_synthetic', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lsoa_count'))
    )
    # Counts for the incidents already stored, as imports will keep them from now on.
    op.execute(
        "INSERT INTO lsoa_count (force_code, lsoa_code, month, crime_type, count, is_synthetic) "
        "SELECT force_code, lsoa_code, month, crime_type, COUNT(*), is_synthetic FROM incident "
        "WHERE lsoa_code IS NOT NULL GROUP BY force_code, lsoa_code, month, crime_type, is_synthetic"
    )
    op.execute(
        "INSERT INTO lsoa_count (force_code, lsoa_code, month, crime_type, count, is_synthetic) "
        "SELECT force_code, lsoa_code, month, 'all-crime', COUNT(*), is_synthetic FROM incident "
        "WHERE lsoa_code IS NOT NULL AND crime_type <> 'anti-social-behaviour' "
        "GROUP BY force_code, lsoa_code, month, is_synthetic"
    )
    with op.batch_alter_table('lsoa_count', schema=None) as batch_op:
        batch_op.create_index('ix_lsoa_count_lsoa', ['lsoa_code', 'crime_type', 'month', 'count'], unique=False)
        batch_op.create_index('ix_lsoa_count_force_month', ['force_code', 'month'], unique=False)
    op.create_table('intervention',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('start_month', sa.String(length=7), nullable=False),
    sa.Column('end_month', sa.String(length=7), nullable=False),
    sa.Column('crime_types', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention')),
    sa.UniqueConstraint('name', name=op.f('uq_intervention_name'))
    )
    op.create_table('intervention_place',
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'],
                            name=op.f('fk_intervention_place_intervention_id_intervention'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('intervention_id', 'role', 'code', name=op.f('pk_intervention_place'))
    )
    op.create_table('target',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('crime_types', sa.Text(), nullable=False),
    sa.Column('series_id', sa.String(length=80), nullable=True),
    sa.Column('area_code', sa.String(length=9), nullable=False),
    sa.Column('baseline_from', sa.String(length=7), nullable=False),
    sa.Column('baseline_to', sa.String(length=7), nullable=False),
    sa.Column('end_from', sa.String(length=7), nullable=False),
    sa.Column('end_to', sa.String(length=7), nullable=False),
    sa.Column('target_percent', sa.Float(), nullable=False),
    sa.Column('tolerance_points', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['area.code'], name=op.f('fk_target_area_code_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target'))
    )


def downgrade() -> None:
    op.drop_table('target')
    op.drop_table('intervention_place')
    op.drop_table('intervention')
    op.drop_table('lsoa_count')
