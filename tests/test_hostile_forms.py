"""Issue 12: hostile values posted to the forms never give a 5xx, and a refused post changes
nothing in the database; every form refuses control characters in one place."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from planner.accounts.models import Company, Invitation, Role, User
from planner.extensions import db
from tests.factories import make_user

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["\x00", "a\x00b", "'; DROP TABLE users; --", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
                     "\r\nSet-Cookie: x=1", "９９９９９９９９９９９９", "-1", "1e309", "²", "\ud7ff" * 200, " " * 50]),
)
FORMS = {
    "/account/login": ["email", "password", "remember"],
    "/account/register": ["registration_number", "legal_name", "size_class", "sectors", "products", "employees",
                          "export_record", "name", "email", "password", "confirm"],
    "/account/password/forgot": ["email"],
}


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Company, User, Invitation))


@pytest.mark.parametrize("path", sorted(FORMS))
def test_hostile_values_never_give_a_5xx_or_change_anything_when_refused(app, db, path):
    client = app.test_client()
    fields = FORMS[path]

    @given(values=st.fixed_dictionaries({name: HOSTILE for name in fields}))
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def post(values):
        before = _counts()
        response = client.post(path, data=values)
        assert response.status_code < 500, (path, values)
        if response.status_code >= 400:
            db.session.rollback()
            assert _counts() == before
    post()


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/static"):
            yield rule


def test_every_form_refuses_a_control_character_before_its_view_runs(app, client, db, login_as):
    login_as(make_user(role=Role.admin))
    db.session.commit()
    checked = 0
    for rule in _post_routes(app):
        values = {arg: (1 if rule._converters[arg].__class__.__name__ == "IdConverter" else "x")  # type: ignore[attr-defined]
                  for arg in rule.arguments}
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m, values=values: str(values[m.group(1)]), rule.rule)
        response = client.post(path, data={"name": "a\x00b", "reason": "\x01", "q": "x\x1b"})
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "control characters" in response.get_data(as_text=True), rule.rule
        checked += 1
    assert checked > 20
