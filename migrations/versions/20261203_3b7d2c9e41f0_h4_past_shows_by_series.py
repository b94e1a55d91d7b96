"""past shows chosen by exhibition series

A company's past shows were free text ("Eurosatory 2024"); they are now chosen from the
catalogue's exhibition series with a year, stored as series keys that the first-timer and
past-results criteria read directly (issue 10). Existing lines are read through
planner.catalogue.series against the catalogue's editions; a line that names no series stays in
`prior_exhibitions`, where the company sees it as "not recognised, please choose". Nothing is
dropped: the downgrade writes the chosen shows back as lines.

Revision ID: 3b7d2c9e41f0
Revises: c3d4e5f6a7b8
Create Date: 2026-12-03 16:50:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op

from planner.catalogue.series import read_past_show, series_index, series_key, series_label

# revision identifiers, used by Alembic.
revision = '3b7d2c9e41f0'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None

companies = sa.table('companies', sa.column('id', sa.Integer), sa.column('prior_exhibitions', sa.JSON),
                     sa.column('past_shows', sa.JSON))
exhibitions = sa.table('exhibitions', sa.column('id', sa.Integer), sa.column('name', sa.String),
                       sa.column('slug', sa.String), sa.column('name_ko', sa.String),
                       sa.column('starts_on', sa.Date))


def _as_list(value):
    if isinstance(value, str):  # a JSON column read through a bare table may come back as text
        value = json.loads(value or "[]")
    return list(value or [])


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('past_shows', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    bind = op.get_bind()
    editions = [(r.name, r.slug, r.name_ko) for r in bind.execute(
        sa.select(exhibitions.c.name, exhibitions.c.slug, exhibitions.c.name_ko)
        .order_by(exhibitions.c.starts_on.desc(), exhibitions.c.id.desc()))]
    index = series_index(editions)
    names = {}
    for name, _slug, name_ko in editions:
        names.setdefault(series_key(name), (series_label(name), series_label(name_ko) if name_ko else ""))
    for row in bind.execute(sa.select(companies.c.id, companies.c.prior_exhibitions)).all():
        lines = [str(line).strip() for line in _as_list(row.prior_exhibitions) if str(line).strip()]
        if not lines:
            continue
        shows, unrecognised, seen = [], [], set()
        for line in lines:
            found = read_past_show(line, index)
            if found is None:
                unrecognised.append(line)
            elif found not in seen:
                seen.add(found)
                name, name_ko = names[found[0]]
                shows.append({"series": found[0], "year": found[1], "name": name, "name_ko": name_ko})
        bind.execute(companies.update().where(companies.c.id == row.id)
                     .values(past_shows=shows, prior_exhibitions=unrecognised))


def downgrade():
    bind = op.get_bind()
    for row in bind.execute(sa.select(companies.c.id, companies.c.prior_exhibitions, companies.c.past_shows)).all():
        shows = _as_list(row.past_shows)
        if not shows:
            continue
        lines = [f"{s['name']} {s['year']}" if s.get('year') else str(s['name']) for s in shows]
        bind.execute(companies.update().where(companies.c.id == row.id)
                     .values(prior_exhibitions=lines + _as_list(row.prior_exhibitions)))
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('past_shows')
