"""Issue 10, items 9 and 10: offers of a published programme, first-come places freed after the
window, and runs without applications or without ranked offers."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planner.allocation import services
from planner.allocation.models import AllocationRun
from planner.catalogue import services as catalogue
from planner.catalogue.models import Offer, OfferMode
from planner.notifications.models import OutboxMessage
from planner.signups.models import Application, ApplicationEvent
from planner.signups.models import ApplicationStatus as S
from planner.signups.services import counter_drift
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.factories import make_application, make_coordinator, make_exhibition

UTC = dt.timezone.utc


def _subjects(db, user) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.subject)
                                   .where(OutboxMessage.to_addr == user.email)))


def _form(offer: Offer, **changes: str) -> dict[str, str]:
    """The offer's edit form as its page shows it, with `changes`."""
    data = catalogue.offer_input_from(offer)
    fmt = "%Y-%m-%dT%H:%M"
    form = {"booth_capacity": str(data.booth_capacity), "booth_size_sqm": str(data.booth_size_sqm),
            "booth_cost_krw": str(data.booth_cost_krw), "delegation_capacity": str(data.delegation_capacity),
            "delegation_people_per_place": str(data.delegation_people_per_place),
            "delegation_min_staff": str(data.delegation_min_staff),
            "delegation_cost_krw": str(data.delegation_cost_krw), "timezone": data.timezone,
            "opens_local": data.opens_local.strftime(fmt), "closes_local": data.closes_local.strftime(fmt),
            "mode": OfferMode(data.mode).value, "confirmation_days": str(data.confirmation_days),
            "payment_due_local": "", "licence_due_local": "", "shipping_cutoff_local": "",
            "buildup_starts_on": "", "buildup_ends_on": "", "notes": ""}
    form.update(changes)
    return form


def _next_week() -> str:
    return (dt.datetime.now(UTC) + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def published(db, programme):
    """A published programme: one ranked offer (one place, held by X; Y waitlisted)."""
    offer = closed_offer(programme, booth_capacity=1)
    x, ux = company_with_user(size_class="small")
    y, uy = company_with_user(size_class="medium")
    xa, ya = apply(x, offer, 1), apply(y, offer, 1)
    services.run_allocation(programme, actor=None, dry_run=False)
    coordinator = make_coordinator()
    db.session.commit()
    assert (xa.status, ya.status) == (S.allocated, S.waitlisted)
    return dict(offer=offer, xa=xa, ya=ya, uy=uy, coordinator=coordinator)


def test_a_new_offer_in_a_published_programme_can_only_be_first_come(client, login_as, db, programme,
                                                                      published):
    # Old code: a ranked offer added after publication took applications no run would ever allocate.
    login_as(published["coordinator"])
    form = client.get(f"/backoffice/programmes/{programme.slug}/offers/new").get_data(as_text=True)
    assert "an offer added now can only be first-come" in form
    exhibition = make_exhibition(starts_on=dt.date.today() + dt.timedelta(days=60),
                                 ends_on=dt.date.today() + dt.timedelta(days=63))
    db.session.commit()
    data = {**_form(published["offer"], closes_local=_next_week(), booth_capacity="2"),
            "exhibition_id": str(exhibition.id)}
    refused = client.post(f"/backoffice/programmes/{programme.slug}/offers/new", data={**data, "mode": "ranked"})
    assert refused.status_code == 400
    assert "a later ranked call is a new programme, e.g. a second call" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Offer).where(Offer.exhibition_id == exhibition.id)) is None
    accepted = client.post(f"/backoffice/programmes/{programme.slug}/offers/new",
                           data={**data, "mode": "first-come"})
    assert accepted.status_code == 302
    offer = db.session.scalar(select(Offer).where(Offer.exhibition_id == exhibition.id))
    assert offer.mode == OfferMode.first_come


def test_a_ranked_offer_of_a_published_programme_cannot_reopen(client, login_as, db, published):
    # Old code: reopened, its new applications stayed "submitted" for ever.
    login_as(published["coordinator"])
    offer = published["offer"]
    before = offer.closes_at
    refused = client.post(f"/backoffice/offers/{offer.id}/edit", data=_form(offer, closes_local=_next_week()))
    assert refused.status_code == 400 and "cannot reopen" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert offer.closes_at == before
    # Other changes are saved as before.
    saved = client.post(f"/backoffice/offers/{offer.id}/edit", data=_form(offer, notes="Hall 5"))
    assert saved.status_code == 302
    db.session.expire_all()
    assert offer.notes == "Hall 5"


def test_a_first_come_offer_holding_places_cannot_become_ranked(client, login_as, db, programme):
    # Old code: switched, its confirmed place counted as "withdrawn" in the export, the run
    # offered capacity minus the places taken, and the company could pass its cap.
    offer = closed_offer(programme, mode=OfferMode.first_come, booth_capacity=2,
                         closes_at=dt.datetime.now(UTC) + dt.timedelta(days=3))
    company, _user = company_with_user(size_class="small")
    make_application(company=company, offer=offer, status=S.confirmed)
    offer.booth_taken = 1
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    refused = client.post(f"/backoffice/offers/{offer.id}/edit", data=_form(offer, mode="ranked"))
    assert refused.status_code == 400
    assert "cannot become ranked while companies hold or wait for its places" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert offer.mode == OfferMode.first_come
    with pytest.raises(services.OfferRefused):
        services.change_offer(offer, _input(offer, mode=OfferMode.ranked), actor=None)


def _input(offer: Offer, **changes):
    from dataclasses import replace
    return replace(catalogue.offer_input_from(offer), **changes)


def test_an_offer_without_applications_may_still_change_its_mode(db, programme):
    offer = closed_offer(programme, mode=OfferMode.first_come,
                         closes_at=dt.datetime.now(UTC) + dt.timedelta(days=3))
    services.change_offer(offer, _input(offer, mode=OfferMode.ranked), actor=None)
    assert offer.mode == OfferMode.ranked


def test_places_added_to_a_published_ranked_offer_go_to_its_waitlist_at_once(db, published):
    offer = published["offer"]
    promoted = services.change_offer(offer, _input(offer, booth_capacity=2), actor=None)
    assert promoted == [published["ya"]] and published["ya"].status == S.allocated
    assert offer.booth_taken == 2 and counter_drift() == []
    assert any(s.startswith("A place is yours") for s in _subjects(db, published["uy"]))


def test_places_added_to_a_first_come_offer_go_to_its_waitlist(db, programme):
    offer = closed_offer(programme, mode=OfferMode.first_come, booth_capacity=1)
    h, _uh = company_with_user(size_class="small")
    w, uw = company_with_user(size_class="medium")
    make_application(company=h, offer=offer, status=S.confirmed)
    waiting = make_application(company=w, offer=offer, status=S.waitlisted)
    offer.booth_taken = 1
    services.change_offer(offer, _input(offer, booth_capacity=2), actor=None)
    assert waiting.status == S.confirmed and offer.booth_taken == 2 and counter_drift() == []
    assert _subjects(db, uw)


def test_a_first_come_place_given_up_after_its_window_goes_to_its_waitlist(client, login_as, db, programme):
    # A programme of first-come offers only has no run; old code refused the withdrawal after
    # the window on both pages, so the place could never go to the waitlist.
    offer = closed_offer(programme, mode=OfferMode.first_come, booth_capacity=1)
    h, uh = company_with_user(size_class="small")
    w, uw = company_with_user(size_class="medium")
    held = make_application(company=h, offer=offer, status=S.confirmed)
    waiting = make_application(company=w, offer=offer, status=S.waitlisted)
    offer.booth_taken = 1
    db.session.commit()
    login_as(uh)
    page = client.get(f"/my/applications/{held.id}").get_data(as_text=True)
    assert "Withdraw application" in page
    response = client.post(f"/my/applications/{held.id}/withdraw", data={"confirm": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert (held.status, waiting.status) == (S.withdrawn, S.confirmed)
    assert offer.booth_taken == 1 and counter_drift() == []
    assert any("place" in s.lower() for s in _subjects(db, uw))
    promotion = db.session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == waiting.id, ApplicationEvent.to_status == "allocated")).one()
    # The system promoted, because of the withdrawal (not "done by" the withdrawing company).
    assert promotion.actor_id is None and promotion.cause.application_id == held.id


def test_a_ranked_application_after_its_window_is_still_not_withdrawn_on_the_sign_up_page(
        client, login_as, db, programme):
    offer = closed_offer(programme)
    company, user = company_with_user(size_class="small")
    application = apply(company, offer, 1)
    db.session.commit()
    login_as(user)
    assert "Withdraw application" not in client.get(f"/my/applications/{application.id}").get_data(as_text=True)
    assert client.post(f"/my/applications/{application.id}/withdraw", data={"confirm": "y"}).status_code == 403
    db.session.expire_all()
    assert application.status == S.submitted


def test_a_published_run_without_applications_keeps_its_inputs(client, login_as, db, programme):
    # Old code: the run page of such a published run showed "Cap per company: None".
    closed_offer(programme, booth_capacity=2)
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    client.post(f"/backoffice/allocation/programmes/{programme.id}/preview")
    preview = db.session.scalars(select(AllocationRun)).one()
    published = client.post(f"/backoffice/allocation/runs/{preview.id}/publish",
                            data={"seed": preview.seed, "confirm": "y"})
    assert published.status_code == 302
    page = client.get(published.headers["Location"]).get_data(as_text=True)
    assert "Cap per company: 1" in " ".join(page.split()) and "None" not in page


def test_a_programme_without_ranked_offers_has_no_run(client, login_as, db, programme):
    # Old code: it previewed an empty run (and the page offered to publish it).
    closed_offer(programme, mode=OfferMode.first_come)
    coordinator = make_coordinator()
    db.session.commit()
    login_as(coordinator)
    page = client.get("/backoffice/allocation").get_data(as_text=True)
    assert "has no ranked offers, so it has no allocation run" in page
    assert f"/backoffice/allocation/programmes/{programme.id}/preview" not in page
    refused = client.post(f"/backoffice/allocation/programmes/{programme.id}/preview")
    assert refused.status_code == 409
    assert "has no ranked offers, so it has no allocation run" in refused.get_data(as_text=True)
    assert db.session.scalars(select(AllocationRun)).all() == []
    with pytest.raises(services.NoRun):
        services.run_allocation(programme, actor=None, dry_run=False)
    assert db.session.scalar(select(Application.id)) is None
