"""owners of interventions and targets, and the audit log of changes to them and to series

Revision ID: 0007_owners_audit
Revises: 0006
Create Date: 2026-12-06 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_owners_audit'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A stored record's owner is whoever last recorded it: the only name kept so far.
    for table in ('intervention', 'target'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('owner', sa.Text(), nullable=False, server_default=''))
        op.execute(f"UPDATE {table} SET owner = recorded_by")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('owner', server_default=None)
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=12), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_at')
    op.drop_table('audit_log')
    for table in ('target', 'intervention'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('owner')
