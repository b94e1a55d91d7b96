"""rules versioned: a confirmed place's recorded money, the history of a programme's rules

Each confirmed place keeps the subsidy share, subsidy and company share of the rules it was
confirmed under (issue 10, item 3); places confirmed before this migration (and those
cancelled after confirming, which may carry a charge) are recorded from the programme's
current rules. A table records each change of a programme's rules after companies applied.

Revision ID: b7d2e4f91c35
Revises: 3b7d2c9e41f0
Create Date: 2026-12-03 16:50:00.000000

"""
import json
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

import planner.db

# revision identifiers, used by Alembic.
revision = 'b7d2e4f91c35'
down_revision = '3b7d2c9e41f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subsidy_share', sa.Float(precision=53), nullable=True))
        batch_op.add_column(sa.Column('subsidy_krw', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('company_share_krw', sa.BigInteger(), nullable=True))
    op.create_table(
        'programme_rule_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', planner.db.UTCDateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('companies', sa.Integer(), nullable=False),
        sa.Column('applications', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_programme_rule_changes_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_programme_rule_changes_programme_id_programmes'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_rule_changes')),
    )
    with op.batch_alter_table('programme_rule_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_rule_changes_programme_id'), ['programme_id'], unique=False)
    _backfill()


def _backfill():
    """Record the money of confirmed places (and places cancelled after confirming) from the
    programme's current rules, as the co-funding pages computed it until now."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT a.id, a.kind, c.size_class, o.booth_cost_krw, o.delegation_cost_krw, "
        "p.eligible_size_classes, p.subsidy_shares "
        "FROM applications a JOIN offers o ON o.id = a.offer_id JOIN programmes p ON p.id = o.programme_id "
        "JOIN companies c ON c.id = a.company_id "
        "WHERE a.status = 'confirmed' OR a.id IN "
        "(SELECT application_id FROM application_events WHERE from_status = 'confirmed')")).all()
    updates = []
    for app_id, kind, size, booth_cost, delegation_cost, eligible, shares in rows:
        eligible = (json.loads(eligible) if isinstance(eligible, str) else eligible) or []
        shares = (json.loads(shares) if isinstance(shares, str) else shares) or {}
        cost = int((booth_cost if kind == 'booth' else delegation_cost) or 0)
        share = float(shares.get(size, 0)) if size in eligible else 0.0
        subsidy = int((Decimal(cost) * Decimal(str(share))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        updates.append(dict(b_id=app_id, b_share=share, b_subsidy=subsidy, b_company=cost - subsidy))
    if updates:
        bind.execute(sa.text("UPDATE applications SET subsidy_share = :b_share, subsidy_krw = :b_subsidy, "
                             "company_share_krw = :b_company WHERE id = :b_id"), updates)


def downgrade():
    with op.batch_alter_table('programme_rule_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_rule_changes_programme_id'))
    op.drop_table('programme_rule_changes')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('company_share_krw')
        batch_op.drop_column('subsidy_krw')
        batch_op.drop_column('subsidy_share')
