"""Allocation runs, publication, confirmations, promotions, overrides and budget figures."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.allocation import lottery, services
from planner.allocation.models import AllocationResult, AllocationRun
from planner.notifications.models import OutboxMessage
from planner.signups.models import ApplicationEvent, PlaceKind
from planner.signups.models import ApplicationStatus as S
from planner.signups.services import change_status
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.factories import make_coordinator, make_offer

UTC = dt.timezone.utc


def results_of(db, run):
    return {r.application_id: r for r in db.session.scalars(
        select(AllocationResult).where(AllocationResult.run_id == run.id))}


@pytest.fixture
def coordinator(app):
    return make_coordinator()


@pytest.fixture
def contested(programme):
    """Offer A (1 booth) wanted by X (small), Y (medium) and Z (middle-market); Y also ranks
    offer B (1 booth) second. With a cap of 1: X gets A, Y gets B, Z waits for A behind Y."""
    a = closed_offer(programme)
    b = closed_offer(programme)
    x, ux = company_with_user(size_class="small")
    y, uy = company_with_user(size_class="medium")
    z, uz = company_with_user(size_class="middle-market")
    apps = {
        "xa": apply(x, a, 1),
        "ya": apply(y, a, 1),
        "yb": apply(y, b, 2),
        "za": apply(z, a, 1),
    }
    return dict(a=a, b=b, apps=apps, users={"x": ux, "y": uy, "z": uz})


def test_dry_run_stores_results_and_changes_no_status(db, programme, contested, coordinator):
    run = services.run_allocation(programme, actor=coordinator, dry_run=True, seed="s")
    results = results_of(db, run)
    apps = contested["apps"]
    assert run.is_dry_run and run.published_programme_id is None
    assert results[apps["xa"].id].outcome == "allocated"
    assert results[apps["yb"].id].outcome == "allocated"
    assert results[apps["ya"].id].outcome == "waitlisted"
    assert results[apps["ya"].id].waitlist_position == 1
    assert results[apps["za"].id].waitlist_position == 2
    db.session.expire_all()
    assert all(app.status == S.submitted for app in apps.values())
    assert contested["a"].booth_taken == 0
    assert db.session.scalar(select(func.count()).select_from(ApplicationEvent)) == 0


def test_publish_moves_statuses_counters_and_writes_audit_rows(db, programme, contested, coordinator):
    now = dt.datetime.now(UTC)
    run = services.run_allocation(programme, actor=coordinator, dry_run=False, seed="s", now=now)
    db.session.commit()
    apps = contested["apps"]
    for app in apps.values():
        db.session.refresh(app)
    assert run.published_programme_id == programme.id and run.published_at is not None
    assert apps["xa"].status == S.allocated
    assert apps["xa"].confirm_by == now + dt.timedelta(days=contested["a"].confirmation_days)
    assert apps["yb"].status == S.allocated
    assert apps["ya"].status == S.waitlisted and apps["za"].status == S.waitlisted
    db.session.refresh(contested["a"])
    db.session.refresh(contested["b"])
    assert contested["a"].booth_taken == 1 and contested["b"].booth_taken == 1
    events = db.session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == apps["xa"].id)).all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == \
        [("submitted", "allocated", coordinator.id)]
    # One summary mail per company user.
    recipients = sorted(db.session.scalars(select(OutboxMessage.to_addr)))
    assert recipients == sorted(u.email for u in contested["users"].values())


def test_a_programme_cannot_be_published_twice(db, programme, contested, coordinator):
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    with pytest.raises(services.PublishedAlready):
        services.run_allocation(programme, actor=coordinator, dry_run=False)
    with pytest.raises(services.PublishedAlready):
        services.run_allocation(programme, actor=coordinator, dry_run=True)


def test_publishing_waits_for_every_ranked_window_to_close(db, programme, contested, coordinator):
    make_offer(programme=programme)  # its window is still open
    with pytest.raises(services.WindowsOpen):
        services.run_allocation(programme, actor=coordinator, dry_run=False)
    assert services.run_allocation(programme, actor=coordinator, dry_run=True).is_dry_run


def test_application_withdrawn_before_the_run_is_reported_withdrawn_not_matched(
        db, programme, contested, coordinator):
    apps = contested["apps"]
    change_status(apps["xa"], S.withdrawn, actor=contested["users"]["x"])
    run = services.run_allocation(programme, actor=coordinator, dry_run=False)
    results = results_of(db, run)
    assert results[apps["xa"].id].outcome == "withdrawn"
    assert results[apps["ya"].id].outcome == "allocated"  # Y now wins A, its first choice
    db.session.refresh(apps["xa"])
    assert apps["xa"].status == S.withdrawn


def test_eligibility_gates_mark_applications_ineligible_with_a_reason(db, programme, coordinator):
    offer = closed_offer(programme, booth_capacity=5)
    large, _ = company_with_user(size_class="large")
    no_profile, _ = company_with_user(products="")
    unattested, _ = company_with_user()
    funded, _ = company_with_user()
    fine, _ = company_with_user()
    apps = [apply(large, offer, 1), apply(no_profile, offer, 1),
            apply(unattested, offer, 1, export_control_attested=False),
            apply(funded, offer, 1, other_public_funding=True), apply(fine, offer, 1)]
    run = services.run_allocation(programme, actor=coordinator, dry_run=False)
    results = results_of(db, run)
    reasons = [results[a.id].reason for a in apps]
    assert [results[a.id].outcome for a in apps] == ["ineligible"] * 4 + ["allocated"]
    assert "size class" in reasons[0] and "profile" in reasons[1]
    assert "attestation" in reasons[2] and "public funding" in reasons[3]
    db.session.refresh(apps[0])
    assert apps[0].status == S.ineligible and "size class" in apps[0].ineligible_reason


def test_priority_follows_the_published_criteria_and_the_breakdown_is_stored(db, programme, coordinator):
    offer = closed_offer(programme)
    offer.exhibition.sectors = ["land"]
    newcomer, _ = company_with_user(size_class="small", sectors=["land"])
    veteran, _ = company_with_user(size_class="small", sectors=["naval"], no_show_count=1,
                                   prior_exhibitions=[offer.exhibition.slug])
    a = apply(newcomer, offer, 1)
    b = apply(veteran, offer, 1, answers={"exhibits": [{"needs_licence": True,
                                                        "licence_status": "pending"}]})
    run = services.run_allocation(programme, actor=coordinator, dry_run=True, seed="seed-1")
    results = results_of(db, run)
    assert results[a.id].breakdown == {"size_class": 30.0, "first_time_at_exhibition": 20.0,
                                       "no_subsidy_last_year": 15.0, "sector_fit": 10.0,
                                       "export_readiness": 15.0, "no_show_penalty": 0.0}
    assert results[a.id].priority == 90.0
    assert results[b.id].priority == 30.0 + 15.0 - 25.0
    assert results[a.id].outcome == "allocated"
    assert results[a.id].tiebreak == lottery.tiebreak("seed-1", str(a.id))


def test_a_company_subsidised_last_year_loses_that_criterion(db, programme, coordinator):
    from tests.factories import make_programme
    last = make_programme(year=programme.year - 1)
    company, _ = company_with_user()
    old = apply(company, closed_offer(last), 1)
    change_status(old, S.allocated, actor=None)
    new = apply(company, closed_offer(programme), 1)
    run = services.run_allocation(programme, actor=coordinator, dry_run=True)
    assert results_of(db, run)[new.id].breakdown["no_subsidy_last_year"] == 0.0


def test_the_same_seed_gives_the_same_results(db, programme, coordinator):
    offer = closed_offer(programme, booth_capacity=2)
    for _ in range(6):
        apply(company_with_user()[0], offer, 1)
    first = results_of(db, services.run_allocation(programme, actor=coordinator, dry_run=True, seed="x"))
    second = results_of(db, services.run_allocation(programme, actor=coordinator, dry_run=True, seed="x"))
    assert {k: (v.outcome, v.waitlist_position, v.tiebreak) for k, v in first.items()} == \
        {k: (v.outcome, v.waitlist_position, v.tiebreak) for k, v in second.items()}


def test_promotion_skips_a_company_at_its_cap_which_keeps_its_position(db, programme, contested,
                                                                        coordinator):
    apps = contested["apps"]
    now = dt.datetime.now(UTC)
    services.run_allocation(programme, actor=coordinator, dry_run=False, now=now)
    db.session.commit()
    promoted = services.decline(apps["xa"], actor=contested["users"]["x"], now=now)
    db.session.commit()
    assert [p.id for p in promoted] == [apps["za"].id]
    for app in apps.values():
        db.session.refresh(app)
    assert apps["za"].status == S.allocated
    assert apps["za"].confirm_by == now + dt.timedelta(days=contested["a"].confirmation_days)
    assert apps["ya"].status == S.waitlisted  # Y holds B, its cap: skipped, still first in line
    [ya] = [r for r in services.list_company_results(apps["ya"].company) if r.application.id == apps["ya"].id]
    assert ya.position == 1 and ya.at_cap
    mails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_addr == contested["users"]["z"].email)).all()
    assert any("A place is yours" in m.subject for m in mails)


def test_declining_one_place_frees_it_and_keeps_the_company_other_places(db, programme, coordinator):
    programme.cap_per_company = 2
    a = closed_offer(programme)
    b = closed_offer(programme)
    x, ux = company_with_user(size_class="small")
    w, _ = company_with_user(size_class="medium")
    xa, xb, wa = apply(x, a, 1), apply(x, b, 2), apply(w, a, 1)
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    services.decline(xa, actor=ux)
    db.session.refresh(xb)
    db.session.refresh(wa)
    db.session.refresh(a)
    assert xa.status == S.declined and xb.status == S.allocated
    assert wa.status == S.allocated and a.booth_taken == 1


def test_confirming_after_the_deadline_is_refused(db, programme, contested, coordinator):
    now = dt.datetime.now(UTC)
    services.run_allocation(programme, actor=coordinator, dry_run=False, now=now)
    xa = contested["apps"]["xa"]
    db.session.refresh(xa)
    with pytest.raises(services.ConfirmationClosed):
        services.confirm(xa, actor=contested["users"]["x"], now=now + dt.timedelta(days=30))
    services.confirm(xa, actor=contested["users"]["x"], now=now + dt.timedelta(days=1))
    assert xa.status == S.confirmed
    with pytest.raises(services.NotAllocated):
        services.decline(xa, actor=contested["users"]["x"], now=now)


def test_overdue_confirmations_expire_and_the_waitlist_moves_up(db, programme, contested, coordinator):
    now = dt.datetime.now(UTC)
    services.run_allocation(programme, actor=coordinator, dry_run=False, now=now)
    db.session.commit()
    expired, promoted = services.expire_overdue(now + dt.timedelta(days=8))
    apps = contested["apps"]
    for app in apps.values():
        db.session.refresh(app)
    assert (expired, promoted) == (2, 1)
    assert apps["xa"].status == S.expired and apps["yb"].status == S.expired
    # Y's B place expired, so Y is under its cap again and takes A; nobody waits for B.
    assert apps["ya"].status == S.allocated and apps["za"].status == S.waitlisted


def test_override_needs_a_reason_and_never_exceeds_capacity_or_cap(db, programme, contested, coordinator):
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    apps = contested["apps"]
    for app in apps.values():
        db.session.refresh(app)
    with pytest.raises(services.ReasonRequired):
        services.override(apps["za"], S.allocated, actor=coordinator, reason="  ")
    with pytest.raises(services.CapacityFull):
        services.override(apps["za"], S.allocated, actor=coordinator, reason="strategic")
    services.override(apps["xa"], S.waitlisted, actor=coordinator, reason="paperwork missing")
    db.session.refresh(contested["a"])
    assert contested["a"].booth_taken == 0
    with pytest.raises(services.CapReached):
        services.override(apps["ya"], S.allocated, actor=coordinator, reason="strategic")
    services.override(apps["za"], S.allocated, actor=coordinator, reason="strategic")
    assert apps["za"].status == S.allocated
    event = db.session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == apps["za"].id).order_by(ApplicationEvent.id.desc())).first()
    assert event.is_override and event.reason == "strategic" and event.actor_id == coordinator.id
    assert event in services.list_offer_events(contested["a"])


def test_budget_shows_committed_confirmed_and_available_subsidy_by_size_class(db, programme,
                                                                              contested, coordinator):
    now = dt.datetime.now(UTC)
    services.run_allocation(programme, actor=coordinator, dry_run=False, now=now)
    xa = contested["apps"]["xa"]
    db.session.refresh(xa)
    services.confirm(xa, actor=contested["users"]["x"], now=now)
    budget = services.programme_budget(programme)
    # X (small, 70 %) and Y (medium, 50 %) hold a 20,000,000 KRW booth each.
    assert budget.by_size_class["small"].committed_krw == 14_000_000
    assert budget.by_size_class["small"].confirmed_krw == 14_000_000
    assert budget.by_size_class["medium"].committed_krw == 10_000_000
    assert budget.by_size_class["medium"].confirmed_krw == 0
    assert budget.committed_krw == 24_000_000
    assert budget.available_krw == programme.budget_krw - 24_000_000
    assert services.offer_budget(contested["b"]).committed_krw == 10_000_000


def test_delegation_places_are_a_slot_type_of_their_own(db, programme, coordinator):
    offer = closed_offer(programme, booth_capacity=0, delegation_capacity=1)
    c1, _ = company_with_user(size_class="small")
    c2, _ = company_with_user(size_class="medium")
    booth = apply(c1, offer, 1)
    d1 = apply(c1, offer, 2, kind=PlaceKind.delegation)
    d2 = apply(c2, offer, 1, kind=PlaceKind.delegation)
    programme.cap_per_company = 2
    run = services.run_allocation(programme, actor=coordinator, dry_run=True)
    results = results_of(db, run)
    assert results[booth.id].outcome == "waitlisted"  # capacity 0
    assert results[d1.id].outcome == "allocated" and results[d2.id].outcome == "waitlisted"
    assert db.session.scalar(select(func.count()).select_from(AllocationRun)) == 1


def test_only_the_company_itself_can_confirm_or_decline(db, programme, contested, coordinator):
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    xa = contested["apps"]["xa"]
    db.session.refresh(xa)
    with pytest.raises(services.NotYours):
        services.decline(xa, contested["users"]["y"])
    assert xa.status == S.allocated


def test_the_timer_sweep_refills_a_place_freed_by_a_withdrawal(db, programme, contested, coordinator):
    from planner.catalogue.models import Offer
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    apps = contested["apps"]
    db.session.refresh(apps["xa"])
    # What signups' withdrawal does to a held place: withdrawn, counter freed.
    change_status(apps["xa"], S.withdrawn, actor=contested["users"]["x"])
    db.session.execute(db.update(Offer).where(Offer.id == contested["a"].id)
                       .values(booth_taken=Offer.booth_taken - 1))
    assert services.fill_all_freed_places() == 1
    db.session.refresh(apps["za"])
    db.session.refresh(apps["ya"])
    assert apps["za"].status == S.allocated and apps["ya"].status == S.waitlisted
    assert services.fill_all_freed_places() == 0


def test_overrides_wait_for_the_publication(db, programme, contested, coordinator):
    services.run_allocation(programme, actor=coordinator, dry_run=True)
    with pytest.raises(services.AllocationError, match="once the allocation is published"):
        services.override(contested["apps"]["za"], S.allocated, actor=coordinator, reason="strategic")
    assert contested["apps"]["za"].status == S.submitted


def test_budget_subsidy_is_what_the_company_does_not_pay_rounded_half_up(db, coordinator):
    from planner.catalogue.services import company_share_krw
    from tests.factories import make_programme
    programme = make_programme(subsidy_shares={"small": 0.5}, eligible_size_classes=["small"],
                               cap_per_company=1)
    # 2,500,001 * 0.5 = 1,250,000.5: half up gives the agency 1,250,001 (round() gives 1,250,000).
    offer = closed_offer(programme, booth_cost_krw=2_500_001)
    company, _user = company_with_user(size_class="small")
    apply(company, offer, 1)
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    budget = services.offer_budget(offer)
    pays = company_share_krw(2_500_001, programme, "small")
    assert budget.by_size_class["small"].committed_krw == 2_500_001 - pays == 1_250_001


def test_result_and_promotion_mails_link_to_the_company_results_page(app, db, programme, contested,
                                                                      coordinator):
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    xa = contested["apps"]["xa"]
    db.session.refresh(xa)
    services.decline(xa, actor=contested["users"]["x"])
    bodies = [m.body_text for m in db.session.scalars(select(OutboxMessage))]
    link = app.config["SITE_URL"] + "/my/allocation"
    assert bodies and all(link in body for body in bodies)
    assert any("A place is yours" in m.subject for m in db.session.scalars(select(OutboxMessage)))


def test_withdrawing_a_confirmed_place_after_publication_promotes_the_waitlist(db, programme, contested,
                                                                                coordinator):
    services.run_allocation(programme, actor=coordinator, dry_run=False)
    apps, users = contested["apps"], contested["users"]
    for a in apps.values():
        db.session.refresh(a)
    services.confirm(apps["xa"], actor=users["x"])
    promoted = services.withdraw(apps["xa"], actor=users["x"])
    # Y holds B at its cap of one, so Z, behind it on A's waitlist, gets A.
    assert promoted == [apps["za"]] and apps["za"].status == S.allocated
    assert apps["xa"].status == S.withdrawn and apps["ya"].status == S.waitlisted
    assert contested["a"].booth_taken == 1
    assert services.withdraw(apps["ya"], actor=users["y"]) == []
    assert apps["ya"].status == S.withdrawn and apps["yb"].status == S.allocated
    with pytest.raises(services.NotAllocated):
        services.withdraw(apps["xa"], actor=users["x"])


def test_withdrawing_through_the_results_page_needs_a_published_run(db, programme, contested):
    services.run_allocation(programme, actor=None, dry_run=True)
    with pytest.raises(services.NotAllocated):
        services.withdraw(contested["apps"]["xa"], actor=contested["users"]["x"])
