"""place_count_packed: place counts packed a district, month, crime type and source to a row

Revision ID: 0012_place_count_packed
Revises: 0011_intervention_source
Create Date: 2026-12-07 04:00:00
"""

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = '0012_place_count_packed'
down_revision = '0011_intervention_source'
branch_labels = None
depends_on = None

PACKED = np.dtype([("place_id", "<i4"), ("count", "<i4")])
KEYS = ('force_code', 'district_code', 'month', 'crime_type', 'source', 'is_synthetic')


def upgrade() -> None:
    packed = op.create_table(
        'place_count_packed',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('source', sa.String(length=24), server_default='police-crime', nullable=False),
        sa.Column('force_code', sa.String(length=9), nullable=False),
        sa.Column('district_code', sa.String(length=9), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('crime_type', sa.String(length=32), nullable=False),
        sa.Column('places', sa.LargeBinary(), nullable=False),
        sa.Column('is_synthetic', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_place_count_packed')),
    )
    op.create_index('ix_place_count_packed_district', 'place_count_packed',
                    ['district_code', 'month', 'crime_type', 'source'], unique=False)
    op.create_index('ix_place_count_packed_force_month', 'place_count_packed', ['force_code', 'month'], unique=False)
    # Every count already stored, packed as imports pack them, a district at a time (read
    # through the district index of place_count).
    conn = op.get_bind()
    place_count = sa.table('place_count', *(sa.column(c) for c in (*KEYS, 'place_id', 'count')))
    districts = conn.execute(sa.select(place_count.c.district_code).distinct()).scalars().all()
    for district in sorted(districts):
        rows = [tuple(r) for r in conn.execute(
            sa.select(*(place_count.c[k] for k in KEYS), place_count.c.place_id, place_count.c.count)
            .where(place_count.c.district_code == district)
            .order_by(*(place_count.c[k] for k in KEYS), place_count.c.place_id))]
        values = np.array([(r[6], r[7]) for r in rows], dtype=PACKED)
        breaks = [i for i in range(1, len(rows)) if rows[i][:6] != rows[i - 1][:6]]
        batch = [dict(zip(KEYS, (*rows[a][:5], bool(rows[a][5]))), places=values[a:b].tobytes())
                 for a, b in zip([0, *breaks], [*breaks, len(rows)])]
        for start in range(0, len(batch), 5_000):
            conn.execute(sa.insert(packed), batch[start:start + 5_000])


def downgrade() -> None:
    op.drop_index('ix_place_count_packed_force_month', table_name='place_count_packed')
    op.drop_index('ix_place_count_packed_district', table_name='place_count_packed')
    op.drop_table('place_count_packed')
