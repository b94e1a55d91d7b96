"""announcement state

An announcement is a draft from its preview until it is sent; sending is a compare-and-set
on the state, so a double click on "Send" sends it once. Announcements kept so far were sent.

Revision ID: c81a5e2d9f40
Revises: b7d2e4f91c35
Create Date: 2026-12-03 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c81a5e2d9f40'
down_revision = 'b7d2e4f91c35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='sent', nullable=False))


def downgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_column('state')
