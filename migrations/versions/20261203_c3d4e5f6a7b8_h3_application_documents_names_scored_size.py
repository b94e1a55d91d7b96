"""application documents, Korean and fascia names, the size class an application was scored with

Company documents may belong to one application (exhibit licence evidence, brochures); companies
get a Korean name and a fascia name (English, optionally Korean) for the pavilion builder;
applications record the size class at submission and the one the published run scored them
with, and each run's result the size class it scored with (issue 14).

Revision ID: c3d4e5f6a7b8
Revises: 5e551045a1b2
Create Date: 2026-12-03 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = '5e551045a1b2'
branch_labels = None
depends_on = None

SIZE_CLASSES = ('small', 'medium', 'middle-market', 'large')


def upgrade():
    with op.batch_alter_table('company_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_company_documents_application_id'), ['application_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_company_documents_application_id_applications'),
                                    'applications', ['application_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name_ko', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('fascia_name', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('fascia_name_ko', sa.String(length=60), nullable=True))
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_size_class', sa.Enum(*SIZE_CLASSES, name='sizeclass',
                                                                      native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('scored_size_class', sa.Enum(*SIZE_CLASSES, name='sizeclass',
                                                                   native_enum=False, length=20), nullable=True))
    with op.batch_alter_table('allocation_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size_class', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('allocation_results', schema=None) as batch_op:
        batch_op.drop_column('size_class')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('scored_size_class')
        batch_op.drop_column('submitted_size_class')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('fascia_name_ko')
        batch_op.drop_column('fascia_name')
        batch_op.drop_column('legal_name_ko')
    with op.batch_alter_table('company_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_company_documents_application_id_applications'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_company_documents_application_id'))
        batch_op.drop_column('application_id')
