"""interventions, targets and an LSOA index on incidents

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-22 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_lsoa', ['lsoa_code', 'month', 'crime_type'], unique=False)
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
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_lsoa')
