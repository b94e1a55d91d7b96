"""places after publication

applications.waitlist_order keeps a coordinator's chosen waitlist position; and
application_events.cause_id names the change that made the system act (a promotion after a
decline), so the audit trail shows the real actor; programme_seeds keeps the lottery seed the
system draws when a programme's last ranked window closes.

Revision ID: 5e1a0c9d2b47
Revises: 54cf028b5872
Create Date: 2026-12-03 13:40:00

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '5e1a0c9d2b47'
down_revision = '54cf028b5872'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_seeds',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('drawn_at', planner.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_seeds_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_programme_seeds'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_order', sa.Integer(), nullable=True))
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_application_events_cause_id_application_events'),
                                    'application_events', ['cause_id'], ['id'], ondelete='SET NULL')


def downgrade():
    op.drop_table('programme_seeds')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_events_cause_id_application_events'),
                                 type_='foreignkey')
        batch_op.drop_column('cause_id')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('waitlist_order')
