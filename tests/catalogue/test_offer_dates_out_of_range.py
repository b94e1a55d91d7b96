"""Issue 12 (found by probing the offer form with hostile dates): a window at the ends of the
calendar is refused with a message, not a 500 from the time-zone arithmetic."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.accounts.models import Role
from planner.catalogue.services.programmes import ProgrammeError, local_to_utc
from tests.factories import make_exhibition, make_programme, make_user


@pytest.mark.parametrize("local, zone", [(dt.datetime(1, 1, 1), "Asia/Seoul"),
                                         (dt.datetime(9999, 12, 31, 23, 0), "Pacific/Honolulu")])
def test_a_time_at_the_ends_of_the_calendar_is_a_rule_error(app, local, zone):
    with pytest.raises(ProgrammeError, match="too far in the past or the future"):
        local_to_utc(local, zone)


def test_the_offer_form_refuses_such_a_window_with_a_message(app, db, client, login_as):
    programme = make_programme()
    exhibition = make_exhibition()
    login_as(make_user(role=Role.coordinator))
    db.session.commit()
    response = client.post(f"/backoffice/programmes/{programme.slug}/offers/new", data={
        "exhibition_id": str(exhibition.id), "booth_capacity": "3", "booth_size_sqm": "9", "booth_cost_krw": "0",
        "delegation_capacity": "0", "delegation_people_per_place": "2", "delegation_min_staff": "1",
        "delegation_cost_krw": "0", "mode": "ranked", "confirmation_days": "7", "timezone": "Asia/Seoul",
        "opens_local": "0001-01-01T00:00", "closes_local": "0001-01-02T00:00"})
    assert response.status_code == 400
    assert "too far in the past or the future" in response.text
