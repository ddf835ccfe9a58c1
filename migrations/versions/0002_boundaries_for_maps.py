"""boundaries for maps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:22:17.967269
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('boundary',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('district_code', sa.String(length=9), nullable=False),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_boundary'))
    )
    with op.batch_alter_table('boundary', schema=None) as batch_op:
        batch_op.create_index('ix_boundary_district', ['district_code', 'level'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('boundary', schema=None) as batch_op:
        batch_op.drop_index('ix_boundary_district')

    op.drop_table('boundary')
