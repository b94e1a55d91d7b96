"""After the show: attendance, results reports with their history, follow-up requests, and
per-programme outcome settings (issue 16).

Revision ID: 77918a77f7c4
Revises: 4feed66742ec
Create Date: 2026-12-03 12:33:30.390366

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = '77918a77f7c4'
down_revision = '4feed66742ec'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_settings',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('report_due_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', planner.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('report_due_days >= 1', name=op.f('ck_outcome_settings_report_due_days_positive')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_outcome_settings_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_outcome_settings'))
    )
    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('attended', 'no-show', name='attendancestatus', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', planner.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_attendances_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_attendances_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_attendances_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('offer_id', 'company_id', name=op.f('uq_attendances_offer_id_company_id'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_offer_id'), ['offer_id'], unique=False)

    op.create_table('results_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='reportstatus', native_enum=False, length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('leads', sa.JSON(), nullable=False),
    sa.Column('contracts', sa.JSON(), nullable=False),
    sa.Column('mous_signed', sa.Integer(), nullable=False),
    sa.Column('products_shown', sa.Text(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('support_note', sa.Text(), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('requested_at', planner.db.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', planner.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', planner.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', planner.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint('mous_signed >= 0', name=op.f('ck_results_reports_mous_non_negative')),
    sa.CheckConstraint('satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)', name=op.f('ck_results_reports_satisfaction_in_range')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_results_reports_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_results_reports_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_reports')),
    sa.UniqueConstraint('offer_id', 'company_id', name=op.f('uq_results_reports_offer_id_company_id'))
    )
    with op.batch_alter_table('results_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_reports_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_reports_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_reports_status'), ['status'], unique=False)

    op.create_table('follow_up_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.Enum('export-licence', 'technology-transfer', 'export-finance', 'partner-introductions', name='followuparea', native_enum=False, length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('open', 'in-progress', 'closed', name='followupstatus', native_enum=False, length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('created_at', planner.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', planner.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status != 'closed' OR outcome IS NOT NULL", name=op.f('ck_follow_up_requests_closed_has_outcome')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_follow_up_requests_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['results_reports.id'], name=op.f('fk_follow_up_requests_report_id_results_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_requests'))
    )
    with op.batch_alter_table('follow_up_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_requests_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_requests_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_requests_status'), ['status'], unique=False)

    op.create_table('results_report_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', planner.db.UTCDateTime(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_results_report_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['results_reports.id'], name=op.f('fk_results_report_events_report_id_results_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_report_events'))
    )
    with op.batch_alter_table('results_report_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_report_events_report_id'), ['report_id'], unique=False)

    op.create_table('follow_up_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', planner.db.UTCDateTime(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_follow_up_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['follow_up_requests.id'], name=op.f('fk_follow_up_events_request_id_follow_up_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_events'))
    )
    with op.batch_alter_table('follow_up_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_events_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('follow_up_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_events_request_id'))

    op.drop_table('follow_up_events')
    with op.batch_alter_table('results_report_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_report_events_report_id'))

    op.drop_table('results_report_events')
    with op.batch_alter_table('follow_up_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_requests_status'))
        batch_op.drop_index(batch_op.f('ix_follow_up_requests_report_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_requests_owner_id'))

    op.drop_table('follow_up_requests')
    with op.batch_alter_table('results_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_reports_status'))
        batch_op.drop_index(batch_op.f('ix_results_reports_offer_id'))
        batch_op.drop_index(batch_op.f('ix_results_reports_company_id'))

    op.drop_table('results_reports')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_offer_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_company_id'))

    op.drop_table('attendances')
    op.drop_table('outcome_settings')
