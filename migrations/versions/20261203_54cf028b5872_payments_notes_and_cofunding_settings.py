"""payments, notes and co-funding settings

Coordinators mark each confirmed place's company share paid or waived (payment_marks, newest
mark wins, older ones are the audit trail), keep internal notes on applications, and set a
programme's cancellation charge (cofunding_settings).

Revision ID: 54cf028b5872
Revises: a9ca4f1d8fe6
Create Date: 2026-12-03 13:34:59.874460

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '54cf028b5872'
down_revision = 'a9ca4f1d8fe6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cofunding_settings',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('cancellation_charge_percent', sa.Integer(), nullable=False),
    sa.Column('payment_instructions', sa.String(length=1000), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', planner.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('cancellation_charge_percent BETWEEN 0 AND 100', name=op.f('ck_cofunding_settings_percent_range')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_cofunding_settings_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_cofunding_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_cofunding_settings'))
    )
    op.create_table('application_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', planner.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_notes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_application_notes_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_notes'))
    )
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_notes_application_id'), ['application_id'], unique=False)

    op.create_table('payment_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('due', 'paid', 'waived', name='paymentstate', native_enum=False, length=20), nullable=False),
    sa.Column('amount_krw', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', planner.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount_krw >= 0', name=op.f('ck_payment_marks_amount_not_negative')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_payment_marks_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_payment_marks_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_marks'))
    )
    with op.batch_alter_table('payment_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_marks_application_id'), ['application_id'], unique=False)



def downgrade():
    with op.batch_alter_table('payment_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_marks_application_id'))

    op.drop_table('payment_marks')
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_notes_application_id'))

    op.drop_table('application_notes')
    op.drop_table('cofunding_settings')
