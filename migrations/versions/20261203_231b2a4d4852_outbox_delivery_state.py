"""outbox delivery state

Mail is retried with back-off (next_attempt_at) within a horizon counted from waiting_since,
and given up explicitly (failed_at) instead of silently after five attempts; kind and reply_to
serve the outbox page and replies to coordinators; category and mail_opt_outs let readers turn
optional mail off. Messages the old rule had given up on (five
failed attempts) become failed, so a coordinator can see and resend them.

Revision ID: 231b2a4d4852
Revises: aa4ba9cc85a5
Create Date: 2026-12-03 12:25:05.429657

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '231b2a4d4852'
down_revision = 'aa4ba9cc85a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('category', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('waiting_since', planner.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', planner.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_at', planner.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('mail_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('created_at', planner.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_opt_outs')),
    sa.UniqueConstraint('email', 'category', name='uq_mail_opt_outs_email_category')
    )
    with op.batch_alter_table('mail_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_opt_outs_email'), ['email'], unique=False)

    outbox = sa.table('outbox_messages', sa.column('created_at', planner.db.UTCDateTime()),
                      sa.column('waiting_since', planner.db.UTCDateTime()),
                      sa.column('failed_at', planner.db.UTCDateTime()),
                      sa.column('sent_at', planner.db.UTCDateTime()), sa.column('attempts', sa.Integer()))
    op.execute(outbox.update().values(waiting_since=outbox.c.created_at))
    op.execute(outbox.update().where(outbox.c.sent_at.is_(None), outbox.c.attempts >= 5)
               .values(failed_at=outbox.c.created_at))


def downgrade():
    with op.batch_alter_table('mail_opt_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_opt_outs_email'))
    op.drop_table('mail_opt_outs')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_kind'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_failed_at'))
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('category')
        batch_op.drop_column('kind')

