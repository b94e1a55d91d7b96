"""feed address reveals

A private feed address just created waits here, sealed, until the page after the POST shows it
once: the session cookie (signed, not encrypted) no longer carries the token itself (issue 13).

Revision ID: c4d2a7e9b013
Revises: c81a5e2d9f40
Create Date: 2026-12-03 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = 'c4d2a7e9b013'
down_revision = 'c81a5e2d9f40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feed_address_reveals',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=True),
        sa.Column('sealed', sa.String(length=255), nullable=False),
        sa.Column('created_at', planner.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_address_reveals_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_feed_address_reveals_programme_id_programmes'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_address_reveals')),
    )
    with op.batch_alter_table('feed_address_reveals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_address_reveals_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_address_reveals_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('feed_address_reveals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_address_reveals_created_at'))
        batch_op.drop_index(batch_op.f('ix_feed_address_reveals_user_id'))
    op.drop_table('feed_address_reveals')
