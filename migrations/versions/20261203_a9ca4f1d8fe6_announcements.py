"""announcements

Coordinators' messages to the applicants of an offer or programme, kept with their statuses,
author and reach.

Revision ID: a9ca4f1d8fe6
Revises: 9c3e1f6a7b20
Create Date: 2026-12-03 13:33:54.966053

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = 'a9ca4f1d8fe6'
down_revision = '9c3e1f6a7b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('statuses', sa.JSON(), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('subject_ko', sa.String(length=200), nullable=True),
    sa.Column('body_ko', sa.Text(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', planner.db.UTCDateTime(), nullable=False),
    sa.Column('company_count', sa.Integer(), nullable=False),
    sa.Column('mail_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_announcements_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_announcements_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_announcements_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_programme_id'), ['programme_id'], unique=False)



def downgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_programme_id'))
        batch_op.drop_index(batch_op.f('ix_announcements_offer_id'))

    op.drop_table('announcements')
