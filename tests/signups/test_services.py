"""Sign-up rules without HTTP: window, duplicates, ranks, reorder, first-come places, withdrawal."""
from __future__ import annotations

import datetime as dt

import pytest

from planner.catalogue.models import ExhibitionStatus, OfferMode
from planner.notifications.models import OutboxMessage
from planner.signups import reasons, services
from planner.signups.models import Application, ApplicationEvent, PlaceKind
from planner.signups.models import ApplicationStatus as S
from planner.signups.services import (
    DuplicateApplication,
    InvalidAnswers,
    NotEditable,
    NotEligible,
    PlaceNotOffered,
    SignupError,
    TransitionNotAllowed,
    WindowClosed,
    submission,
)
from planner.vocab import SizeClass
from tests.factories import make_application, make_company, make_exhibition, make_offer, make_programme, make_user
from tests.signups.conftest import delegation_answers, good_answers

UTC = dt.timezone.utc


def submit(offer, company, kind=PlaceKind.booth, answers=None, now=None, actor=None):
    answers = answers or (delegation_answers() if kind == PlaceKind.delegation else good_answers())
    return services.submit_application(offer, kind, company=company, actor=actor, answers=answers, now=now)


# --- window ---------------------------------------------------------------------------------

def test_window_is_open_from_opens_at_and_closed_at_closes_at(app, db):
    offer = make_offer(opens_at=dt.datetime(2027, 1, 1, tzinfo=UTC), closes_at=dt.datetime(2027, 2, 1, tzinfo=UTC))
    assert not services.window_is_open(offer, dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert services.window_is_open(offer, dt.datetime(2027, 1, 1, tzinfo=UTC))
    assert services.window_is_open(offer, dt.datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC))
    assert not services.window_is_open(offer, dt.datetime(2027, 2, 1, tzinfo=UTC))


def test_submission_after_the_deadline_is_refused_and_saves_nothing(app, db):
    offer = make_offer()
    company = make_company()
    with pytest.raises(WindowClosed):
        submit(offer, company, now=offer.closes_at)
    assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 0


def test_submission_before_the_window_opens_is_refused(app, db):
    offer = make_offer()
    with pytest.raises(WindowClosed):
        submit(offer, make_company(), now=offer.opens_at - dt.timedelta(seconds=1))


def test_deadline_is_compared_in_utc_whatever_the_offer_time_zone(app, db):
    # 23:59 in Seoul on 31 Jan is 14:59 UTC: the window has closed at 15:00 UTC already.
    closes = dt.datetime(2027, 1, 31, 15, 0, tzinfo=UTC)
    offer = make_offer(timezone="Asia/Seoul", opens_at=closes - dt.timedelta(days=30), closes_at=closes)
    submit(offer, make_company(), now=closes - dt.timedelta(minutes=1))
    with pytest.raises(WindowClosed):
        submit(offer, make_company(), now=closes)


def test_cancelled_exhibition_takes_no_applications(app, db):
    offer = make_offer(exhibition=make_exhibition(status=ExhibitionStatus.cancelled))
    with pytest.raises(WindowClosed):
        submit(offer, make_company())


# --- eligibility and answers ----------------------------------------------------------------

def test_kind_without_capacity_is_refused(app, db):
    offer = make_offer(delegation_capacity=0)
    with pytest.raises(PlaceNotOffered):
        submit(offer, make_company(), kind=PlaceKind.delegation)


def test_size_class_outside_the_programme_is_refused_at_input(app, db):
    offer = make_offer(programme=make_programme(eligible_size_classes=["small"]))
    with pytest.raises(NotEligible):
        submit(offer, make_company(size_class=SizeClass.large))


def test_application_without_attestation_cannot_be_submitted(app, db):
    with pytest.raises(InvalidAnswers):
        submit(make_offer(), make_company(), answers=good_answers(export_control_attested=False))


def test_other_public_funding_for_the_same_costs_is_refused(app, db):
    with pytest.raises(InvalidAnswers):
        submit(make_offer(), make_company(), answers=good_answers(other_public_funding=True))


def test_delegation_needs_the_offers_minimum_staff(app, db):
    offer = make_offer(delegation_min_staff=2, delegation_people_per_place=3)
    with pytest.raises(InvalidAnswers):
        submit(offer, make_company(), kind=PlaceKind.delegation)
    two = delegation_answers(delegates=(services.Delegate("A", "CEO"), services.Delegate("B", "CTO")))
    application = submit(offer, make_company(), kind=PlaceKind.delegation, answers=two)
    assert [d["name"] for d in application.answers["delegates"]] == ["A", "B"]


def test_every_delegate_needs_a_name_and_a_role(app, db):
    offer = make_offer()
    no_role = delegation_answers(delegates=(services.Delegate("Kim Minji", " "),))
    with pytest.raises(InvalidAnswers, match="name and role"):
        submit(offer, make_company(), kind=PlaceKind.delegation, answers=no_role)


def test_answers_are_stored_in_the_documented_shape(app, db):
    application = submit(make_offer(), make_company())
    assert application.answers == {
        "exhibits": [{"name": "Thermal sight", "needs_licence": True, "licence_status": "granted"}],
        "target_markets": ["FR", "PL"], "needs": ["b2b"], "b2b_buyers": "Army procurement offices",
        "delegates": []}
    assert application.export_control_attested is True
    assert services.ApplicationAnswers.from_application(application) == good_answers()


# --- duplicates and ranks -------------------------------------------------------------------

def test_second_application_for_the_same_offer_and_kind_returns_the_first(app, db):
    offer = make_offer()
    company = make_company()
    first = submit(offer, company)
    with pytest.raises(DuplicateApplication) as caught:
        submit(offer, company)
    assert caught.value.existing.id == first.id


def test_duplicate_caught_by_the_database_when_the_check_is_raced(app, db, monkeypatch):
    offer = make_offer()
    company = make_company()
    first = submit(offer, company)
    # Pretend the friendly check ran before the other submission was saved.
    real_find = services.find_application
    calls = []

    def find_late(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_find(*args)
    monkeypatch.setattr(submission, "find_application", find_late)
    with pytest.raises(DuplicateApplication) as caught:
        submit(offer, company)
    assert caught.value.existing.id == first.id
    db.session.commit()  # the transaction is still usable after the lost race
    assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 1


def test_booth_and_delegation_in_the_same_offer_are_two_applications(app, db):
    offer = make_offer()
    company = make_company()
    booth = submit(offer, company)
    delegation = submit(offer, company, kind=PlaceKind.delegation)
    assert (booth.preference, delegation.preference) == (1, 2)


def test_ranks_are_the_next_free_number_in_the_programme_and_strict(app, db):
    programme = make_programme()
    company = make_company()
    offers = [make_offer(programme=programme) for _ in range(3)]
    ranks = [submit(offer, company).preference for offer in offers]
    other_programme = submit(make_offer(), company)
    assert ranks == [1, 2, 3]
    assert other_programme.preference == 1


def test_withdrawn_application_keeps_its_rank_so_new_ones_go_after_it(app, db):
    programme = make_programme()
    company = make_company()
    first = submit(make_offer(programme=programme), company)
    services.withdraw_application(first, actor=None)
    second = submit(make_offer(programme=programme), company)
    assert second.preference == 2


def test_reorder_moves_an_application_up_and_keeps_ranks_strict(app, db):
    programme = make_programme()
    company = make_company()
    a, b, c = (submit(make_offer(programme=programme), company) for _ in range(3))
    services.move_application(c, "up", actor=None)
    services.move_application(c, "up", actor=None)
    db.session.commit()
    order = [x.id for x in services.ranked_applications(company.id, programme.id)]
    assert order == [c.id, a.id, b.id]
    assert sorted(x.preference for x in (a, b, c)) == [1, 2, 3]


def test_moving_the_first_application_up_changes_nothing(app, db):
    programme = make_programme()
    company = make_company()
    a, b = (submit(make_offer(programme=programme), company) for _ in range(2))
    services.move_application(a, "up", actor=None)
    assert (a.preference, b.preference) == (1, 2)


def test_a_move_made_on_an_order_that_changed_since_moves_nothing(app, db):
    programme = make_programme()
    company = make_company()
    a, b, c = (submit(make_offer(programme=programme), company) for _ in range(3))
    shown = [a.id, b.id, c.id]
    services.move_application(c, "up", actor=None, expected_order=shown)
    # The same button again (a double click, or the back button): the page's order is stale.
    with pytest.raises(services.StaleOrder):
        services.move_application(c, "up", actor=None, expected_order=shown)
    assert [x.id for x in services.ranked_applications(company.id, programme.id)] == [a.id, c.id, b.id]


def test_set_ranks_refuses_equal_ranks(app, db):
    programme = make_programme()
    company = make_company()
    a, b = (submit(make_offer(programme=programme), company) for _ in range(2))
    with pytest.raises(SignupError):
        services.set_ranks(company.id, programme.id, {a.id: 1, b.id: 1}, actor=None)
    services.set_ranks(company.id, programme.id, {a.id: 2, b.id: 1}, actor=None)
    assert (a.preference, b.preference) == (2, 1)


def test_reorder_with_a_foreign_application_is_refused(app, db):
    programme = make_programme()
    company = make_company()
    a = submit(make_offer(programme=programme), company)
    foreign = submit(make_offer(programme=programme), make_company())
    with pytest.raises(SignupError):
        services.set_order(company.id, programme.id, [foreign.id, a.id], actor=None)


def test_reorder_skips_withdrawn_and_first_come_applications_and_leaves_their_ranks(app, db):
    programme = make_programme()
    company = make_company()
    a = submit(make_offer(programme=programme), company)
    gone = submit(make_offer(programme=programme), company)
    first_come = submit(make_offer(programme=programme, mode=OfferMode.first_come), company)
    d = submit(make_offer(programme=programme), company)
    services.withdraw_application(gone, actor=None)
    services.move_application(d, "up", actor=None)
    assert [x.id for x in services.ranked_applications(company.id, programme.id)] == [d.id, a.id]
    assert (gone.preference, first_come.preference) == (2, 3)
    assert {a.preference, d.preference} == {1, 4}


def test_ranks_are_frozen_after_the_last_ranked_deadline(app, db):
    programme = make_programme()
    company = make_company()
    a, b = (submit(make_offer(programme=programme), company) for _ in range(2))
    later = b.offer.closes_at + dt.timedelta(seconds=1)
    with pytest.raises(WindowClosed):
        services.move_application(b, "up", actor=None, now=later)


# --- first-come -----------------------------------------------------------------------------

def test_first_come_confirms_while_places_remain_then_waitlists(app, db):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=2)
    results = [submit(offer, make_company()).status for _ in range(3)]
    assert results == [S.confirmed, S.confirmed, S.waitlisted]
    assert offer.booth_taken == 2


def test_confirmation_on_submission_is_recorded_in_the_history(app, db):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    application = submit(offer, make_company())
    assert [(e.from_status, e.to_status) for e in application.events] == [
        (None, "submitted"), ("submitted", "confirmed")]


def test_withdrawing_a_first_come_place_promotes_the_first_waitlisted_and_emails_it(app, db):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    holder = submit(offer, make_company())
    first_waiting_user = make_user()
    first_waiting = submit(offer, first_waiting_user.company, now=holder.created_at + dt.timedelta(seconds=1))
    second_waiting = submit(offer, make_company(), now=holder.created_at + dt.timedelta(seconds=2))
    promoted = services.withdraw_application(holder, actor=None)
    assert promoted is first_waiting
    assert (holder.status, first_waiting.status, second_waiting.status) == (S.withdrawn, S.confirmed, S.waitlisted)
    assert offer.booth_taken == 1
    mails = db.session.scalars(db.select(OutboxMessage)).all()
    assert [m.to_addr for m in mails] == [first_waiting_user.email]
    assert offer.exhibition.name in mails[0].subject


def test_withdrawing_a_first_come_place_without_waitlist_frees_it(app, db):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    holder = submit(offer, make_company())
    assert services.withdraw_application(holder, actor=None) is None
    assert offer.booth_taken == 0
    assert submit(offer, make_company()).status == S.confirmed


def test_withdrawing_a_waitlisted_application_frees_nothing(app, db):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    submit(offer, make_company())
    waiting = submit(offer, make_company())
    services.withdraw_application(waiting, actor=None)
    assert offer.booth_taken == 1


def test_withdrawal_and_editing_after_the_deadline_are_refused(app, db):
    offer = make_offer()
    application = submit(offer, make_company())
    after = offer.closes_at
    with pytest.raises(NotEditable):
        services.withdraw_application(application, actor=None, now=after)
    with pytest.raises(NotEditable):
        services.update_answers(application, actor=None, answers=good_answers(), now=after)
    assert application.status == S.submitted


def test_editing_replaces_the_answers_before_the_deadline(app, db):
    application = submit(make_offer(), make_company())
    services.update_answers(application, actor=None,
                            answers=good_answers(target_markets=("AE",), needs=("guarantee",), b2b_buyers=""))
    assert application.answers["target_markets"] == ["AE"]
    assert application.answers["needs"] == ["guarantee"]


def test_an_application_to_a_cancelled_show_can_be_withdrawn_but_not_edited(app, db):
    offer = make_offer()
    application = submit(offer, make_company())
    offer.exhibition.status = ExhibitionStatus.cancelled
    with pytest.raises(NotEditable, match="cancelled"):
        services.update_answers(application, actor=None, answers=good_answers(target_markets=("AE",)))
    assert application.answers["target_markets"] != ["AE"]
    services.withdraw_application(application, actor=None)
    assert application.status == S.withdrawn


def test_withdrawn_application_cannot_be_edited_or_withdrawn_again(app, db):
    application = submit(make_offer(), make_company())
    services.withdraw_application(application, actor=None)
    with pytest.raises(NotEditable):
        services.withdraw_application(application, actor=None)


# --- change_status --------------------------------------------------------------------------

def test_change_status_records_who_when_from_to_and_why(app, db):
    actor = make_user()
    application = make_application()
    when = dt.datetime(2027, 3, 1, 9, tzinfo=UTC)
    event = services.change_status(application, S.waitlisted, actor=actor, reason="Full", now=when)
    assert (event.actor_id, event.at, event.from_status, event.to_status, event.reason) == (
        actor.id, when, "submitted", "waitlisted", "Full")
    assert application.status == S.waitlisted


@pytest.mark.parametrize("start,target", [
    (S.withdrawn, S.submitted), (S.declined, S.allocated), (S.confirmed, S.allocated),
    (S.waitlisted, S.confirmed), (S.submitted, S.declined),
])
def test_change_status_refuses_transitions_outside_the_lifecycle(app, db, start, target):
    application = make_application(status=start)
    with pytest.raises(TransitionNotAllowed):
        services.change_status(application, target, actor=None)
    assert application.status == start
    assert db.session.scalar(db.select(db.func.count()).select_from(ApplicationEvent)) == 0


# --- allowance ------------------------------------------------------------------------------

def test_allowance_counts_held_ranked_places_against_the_cap_and_first_come_apart(app, db):
    programme = make_programme(cap_per_company=2)
    company = make_company()
    make_application(offer=make_offer(programme=programme), company=company, status=S.allocated)
    make_application(offer=make_offer(programme=programme), company=company, status=S.submitted)
    submit(make_offer(programme=programme, mode=OfferMode.first_come), company)
    (allowance,) = services.company_allowances(company.id)
    assert (allowance.held, allowance.cap, allowance.remaining, allowance.first_come_held) == (1, 2, 1, 1)


def test_allowances_list_only_programmes_with_an_open_window(app, db):
    company = make_company()
    now = dt.datetime.now(UTC)
    make_offer(opens_at=now - dt.timedelta(days=20), closes_at=now - dt.timedelta(days=1))
    open_offer = make_offer()
    assert [a.programme.id for a in services.company_allowances(company.id)] == [open_offer.programme_id]
    assert services.company_allowances(None) == []


def test_submitter_gets_a_receipt_saying_what_happens_next(app, db):
    user = make_user()
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    submit(offer, user.company, actor=user)
    (mail,) = db.session.scalars(db.select(OutboxMessage)).all()
    assert mail.to_addr == user.email
    assert offer.exhibition.name in mail.subject
    assert "your place is confirmed" in mail.body_text


def test_applying_again_after_withdrawing_says_a_withdrawal_is_final(app, db):
    offer = make_offer()
    company = make_company()
    application = submit(offer, company)
    services.withdraw_application(application, actor=None)
    with pytest.raises(DuplicateApplication, match="cannot be undone"):
        submit(offer, company)


def test_history_reasons_are_stored_in_english_whatever_the_applicants_language(app, db):
    with app.test_request_context("/?lang=ko"):
        application = submit(make_offer(mode=OfferMode.first_come, booth_capacity=1), make_company())
    assert [e.reason for e in application.events] == [reasons.SUBMITTED,
                                                       reasons.CONFIRMED_ON_SUBMISSION]


def test_reasons_written_by_people_are_shown_as_written(app, db):
    assert services.describe_reason("<b>Late licence</b>") == "<b>Late licence</b>"
    assert services.describe_reason(None) == ""


def test_a_first_come_promotion_is_mailed_in_the_promoted_companys_language(app, db):
    offer = make_offer(mode=OfferMode.first_come, booth_capacity=1)
    offer.exhibition.name_ko = "한국어 전시회"
    english = make_user(locale="en")
    holder = submit(offer, english.company, actor=english)
    korean = make_user(locale="ko")
    waiting = submit(offer, korean.company, now=holder.created_at + dt.timedelta(seconds=1))
    db.session.execute(OutboxMessage.__table__.delete())
    with app.test_request_context("/?lang=en"):
        services.withdraw_application(holder, actor=english)
    (mail,) = db.session.scalars(db.select(OutboxMessage)).all()
    assert mail.to_addr == korean.email
    assert mail.subject == "자리가 배정되었습니다: 한국어 전시회"
    assert app.config["SITE_URL"] + f"/my/applications/{waiting.id}" in mail.body_text
