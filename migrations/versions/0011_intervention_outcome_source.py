"""intervention.outcome_source: the incident source whose counts evaluate an intervention

Revision ID: 0011_intervention_source
Revises: 0010_coverage_ledger
Create Date: 2026-12-07 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011_intervention_source'
down_revision = '0010_coverage_ledger'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every intervention stored before this was evaluated on police.uk crime: the default keeps it so.
    with op.batch_alter_table('intervention') as batch:
        batch.add_column(sa.Column('outcome_source', sa.String(length=24), nullable=False,
                                   server_default='police-crime'))


def downgrade() -> None:
    with op.batch_alter_table('intervention') as batch:
        batch.drop_column('outcome_source')
