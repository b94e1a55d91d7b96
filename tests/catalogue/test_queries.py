"""No catalogue page issues more than five SQL statements, however many exhibitions it shows."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.factories import make_exhibition, make_offer

MAX_QUERIES = 5
TODAY = dt.date.today()


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def catalogue(db):
    for n in range(30):
        start = TODAY + dt.timedelta(days=10 + n)
        show = make_exhibition(slug=f"show-{n}", name=f"Show {n}", starts_on=start,
                               ends_on=start + dt.timedelta(days=3), sectors=["land", "naval"] if n % 2 else ["air"],
                               country_code="FR" if n % 3 else "DE")
        if n % 4 == 0:
            make_offer(exhibition=show)
    db.session.commit()
    db.session.expire_all()


@pytest.mark.parametrize("path", [
    "/exhibitions",
    "/exhibitions?q=paris",
    "/exhibitions?q=프랑스 show",
    "/exhibitions?sector=air&country=FR&open=1",
    "/exhibitions?region=europe&from=2020-01&page=2",
    "/exhibitions/show-4",
    "/api/v1/exhibitions",
    "/api/v1/exhibitions?sector=air",
    "/api/v1/exhibitions/show-4",
    "/exhibitions/timeline",
    "/",
])
def test_page_issues_at_most_five_queries(client, db, catalogue, path):
    with count_queries(db.engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert 1 <= len(statements) <= MAX_QUERIES, "\n\n".join(statements)
