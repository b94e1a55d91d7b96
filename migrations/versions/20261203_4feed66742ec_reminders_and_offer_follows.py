"""reminders and offer follows

reminders_sent keys each reminder sent, so the remind timer sends it once however often it
runs; offer_follows records companies that asked to be reminded before a window closes.

Revision ID: 4feed66742ec
Revises: 231b2a4d4852
Create Date: 2026-12-03 12:32:15.167861

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '4feed66742ec'
down_revision = '231b2a4d4852'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminders_sent',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('sent_at', planner.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_reminders_sent'))
    )
    op.create_table('offer_follows',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', planner.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_offer_follows_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_follows_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'offer_id', name=op.f('pk_offer_follows'))
    )
    with op.batch_alter_table('offer_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_follows_offer_id'), ['offer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('offer_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_follows_offer_id'))

    op.drop_table('offer_follows')
    op.drop_table('reminders_sent')
