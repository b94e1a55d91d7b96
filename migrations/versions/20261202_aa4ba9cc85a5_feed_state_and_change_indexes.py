"""feed state and change indexes

feed_state holds one row whose version changes with every catalogue edit, so a feed's ETag
is one primary-key lookup; the indexes serve the catalogue's last-change and open-window
queries.

Revision ID: aa4ba9cc85a5
Revises: 27a77b4a284e
Create Date: 2026-12-02 15:46:56.948342

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = 'aa4ba9cc85a5'
down_revision = '27a77b4a284e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('changed_at', planner.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_state'))
    )
    with op.batch_alter_table('exhibitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exhibitions_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_opens_at'), ['opens_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_updated_at'), ['updated_at'], unique=False)



def downgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_updated_at'))
        batch_op.drop_index(batch_op.f('ix_offers_opens_at'))

    with op.batch_alter_table('exhibitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exhibitions_updated_at'))

    op.drop_table('feed_state')
