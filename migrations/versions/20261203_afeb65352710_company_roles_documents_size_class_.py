"""Company roles (a main contact per company), company documents, the coordinator's check of
a company's size class, and the accounts audit log (issue 14). Each existing company's earliest
active user becomes its main contact.

Revision ID: afeb65352710
Revises: 5e1a0c9d2b47
Create Date: 2026-12-03 13:08:15.055548

"""
from alembic import op
import sqlalchemy as sa

import planner.db


# revision identifiers, used by Alembic.
revision = 'afeb65352710'
down_revision = '5e1a0c9d2b47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', planner.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_account_events_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_events'))
    )
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_events_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_events_user_id'), ['user_id'], unique=False)

    op.create_table('company_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('registration-certificate', 'sme-confirmation', name='documentkind', native_enum=False, length=30), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', planner.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_documents_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_company_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_company_documents_storage_key'))
    )
    with op.batch_alter_table('company_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_documents_company_id'), ['company_id'], unique=False)

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size_class_check', sa.Enum('unverified', 'verified', 'rejected', name='sizeclasscheck', native_enum=False, length=20), server_default='unverified', nullable=False))
        batch_op.add_column(sa.Column('size_class_checked_at', planner.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('size_class_note', sa.Text(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_main_contact', sa.Boolean(), server_default=sa.text('(false)'), nullable=False))
        batch_op.create_index('uq_users_company_main_contact', ['company_id'], unique=True, sqlite_where=sa.text('is_main_contact'), postgresql_where=sa.text('is_main_contact'))

    op.execute(sa.text(
        "UPDATE users SET is_main_contact = true WHERE company_id IS NOT NULL AND id = ("
        " SELECT earliest.id FROM users AS earliest WHERE earliest.company_id = users.company_id"
        " ORDER BY earliest.is_active_account DESC, earliest.created_at, earliest.id LIMIT 1)"))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('uq_users_company_main_contact', sqlite_where=sa.text('is_main_contact'), postgresql_where=sa.text('is_main_contact'))
        batch_op.drop_column('is_main_contact')

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('size_class_note')
        batch_op.drop_column('size_class_checked_at')
        batch_op.drop_column('size_class_check')

    with op.batch_alter_table('company_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_documents_company_id'))

    op.drop_table('company_documents')
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_events_company_id'))

    op.drop_table('account_events')
