"""feed tokens per person

Private feed addresses belong to a person (user_id), so a colleague's new address leaves
everyone else's working; last_fetched_at shows when each was last polled; revoked_by_id says
who revoked one. Existing tokens keep working: each is attached to the user who created it,
else (a company token whose creator is gone) to the company's first user.

Revision ID: 9c3e1f6a7b20
Revises: 77918a77f7c4
Create Date: 2026-12-03 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '9c3e1f6a7b20'
down_revision = '77918a77f7c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_fetched_at', planner.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_feed_tokens_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_feed_tokens_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_feed_tokens_revoked_by_id_users'), 'users', ['revoked_by_id'],
                                    ['id'], ondelete='SET NULL')
    op.execute("UPDATE feed_tokens SET user_id = created_by_id WHERE created_by_id IS NOT NULL")
    op.execute("UPDATE feed_tokens SET user_id = (SELECT min(users.id) FROM users "
               "WHERE users.company_id = feed_tokens.company_id) "
               "WHERE user_id IS NULL AND company_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feed_tokens_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_feed_tokens_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feed_tokens_user_id'))
        batch_op.drop_column('last_fetched_at')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('user_id')
