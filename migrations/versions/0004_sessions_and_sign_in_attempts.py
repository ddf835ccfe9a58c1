"""server-side sessions and sign-in attempts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 04:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['username'], ['user_account.username'],
                            name=op.f('fk_user_session_username_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_user_session'))
    )
    op.create_index('ix_user_session_username', 'user_session', ['username'], unique=False)
    op.create_table('sign_in_attempt',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('window_ends', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_attempt'))
    )


def downgrade() -> None:
    op.drop_table('sign_in_attempt')
    op.drop_index('ix_user_session_username', table_name='user_session')
    op.drop_table('user_session')
