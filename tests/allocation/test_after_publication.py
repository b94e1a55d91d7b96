"""Issue 10: a place after publication. Promotion at once (a company dropping under its cap,
the run's cap), overrides with explicit targets that no timer undoes, the real actor in the
audit trail, a mail for every event, expiry in bulk and the current export."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import event, func, select

from planner.allocation import services
from planner.allocation.models import AllocationResult
from planner.notifications.models import OutboxMessage
from planner.signups.models import Application, ApplicationEvent
from planner.signups.models import ApplicationStatus as S
from planner.signups.services import counter_drift
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.factories import make_coordinator

UTC = dt.timezone.utc


def _subjects(db, user) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.subject)
                                   .where(OutboxMessage.to_addr == user.email)
                                   .order_by(OutboxMessage.id)))


def test_a_company_dropping_under_its_cap_is_offered_a_free_place_at_once(db, programme):
    # Y ranks B then C; with a cap of 1 it gets B and waits at C, whose place stays free.
    b, c = closed_offer(programme), closed_offer(programme)
    y, uy = company_with_user(size_class="small")
    yb, yc = apply(y, b, 1), apply(y, c, 2)
    services.run_allocation(programme, actor=None, dry_run=False)
    assert (yb.status, yc.status) == (S.allocated, S.waitlisted)
    services.decline(yb, uy)
    # Old code: nothing until the hourly timer's sweep.
    assert yc.status == S.allocated and c.booth_taken == 1
    promotion = db.session.scalars(select(ApplicationEvent).where(
        ApplicationEvent.application_id == yc.id).order_by(ApplicationEvent.id.desc())).first()
    # The system promoted, because of Y's decline (not "done by Y").
    assert promotion.actor_id is None and promotion.cause.application_id == yb.id
    assert promotion.cause.to_status == "declined"
    assert counter_drift() == []


def test_promotion_uses_the_cap_of_the_run_not_the_programmes_current_one(db, programme):
    a, b = closed_offer(programme), closed_offer(programme)
    x, ux = company_with_user(size_class="small")
    y, _uy = company_with_user(size_class="medium")
    xa, ya, yb = apply(x, a, 1), apply(y, a, 2), apply(y, b, 1)
    services.run_allocation(programme, actor=None, dry_run=False)
    assert (xa.status, yb.status, ya.status) == (S.allocated, S.allocated, S.waitlisted)
    programme.cap_per_company = 2  # an admin's change after publication
    services.decline(xa, ux)
    assert ya.status == S.waitlisted and a.booth_taken == 0


def test_an_override_to_the_waitlist_is_not_undone_by_the_timer(db, programme, runner):
    offer = closed_offer(programme)
    x, ux = company_with_user(size_class="small")
    xa = apply(x, offer, 1)
    coordinator = make_coordinator()
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    services.override(xa, "waitlisted", actor=coordinator, reason="paperwork missing")
    db.session.commit()
    assert xa.status == S.waitlisted and offer.booth_taken == 0
    result = runner.invoke(args=["allocation", "expire"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    # Old code: the sweep promoted X straight back and mailed "a place is yours".
    assert db.session.get(Application, xa.id).status == S.waitlisted
    assert any(s.startswith("Moved to the waitlist") for s in _subjects(db, ux))
    assert not any(s.startswith("A place is yours") for s in _subjects(db, ux))


def test_waitlist_at_a_chosen_position_orders_later_promotions(db, programme):
    offer = closed_offer(programme)
    holder, uh = company_with_user(size_class="small")
    waiting = [company_with_user(size_class="middle-market")[0] for _ in range(3)]
    held = apply(holder, offer, 1)
    waits = [apply(company, offer, 1) for company in waiting]
    coordinator = make_coordinator()
    services.run_allocation(programme, actor=None, dry_run=False)
    order = [a.id for a, _r in services.waitlist(offer, "booth")]
    last = db.session.get(Application, order[-1])
    services.override(last, "waitlisted", actor=coordinator, reason="priority case", position=1)
    assert [a.id for a, _r in services.waitlist(offer, "booth")] == [last.id] + order[:-1]
    services.decline(held, uh)
    assert last.status == S.allocated
    assert sorted(a.status for a in waits).count(S.allocated) == 1


def test_restore_an_ineligible_application_after_publication(db, programme):
    programme.eligible_size_classes = ["small"]
    offer = closed_offer(programme, booth_capacity=1)
    x, _ux = company_with_user(size_class="small")
    y, uy = company_with_user(size_class="medium")
    xa, ya = apply(x, offer, 1), apply(y, offer, 1)
    services.run_allocation(programme, actor=None, dry_run=False)
    assert (xa.status, ya.status) == (S.allocated, S.ineligible)
    services.override(ya, "restored", actor=make_coordinator(), reason="size class misread")
    assert ya.status == S.waitlisted and ya.ineligible_reason is None
    assert any(s.startswith("Application restored") for s in _subjects(db, uy))


def test_every_event_of_a_place_is_mailed(db, programme):
    offer = closed_offer(programme, booth_capacity=2)
    x, ux = company_with_user(size_class="small")
    y, uy = company_with_user(size_class="medium")
    xa, ya = apply(x, offer, 1), apply(y, offer, 1)
    now = dt.datetime.now(UTC)
    services.run_allocation(programme, actor=None, dry_run=False, now=now)
    services.confirm(xa, ux, now=now)
    assert services.expire_overdue(now + dt.timedelta(days=60)) == (1, 0)
    assert ya.status == S.expired
    assert any(s.startswith("Place confirmed") for s in _subjects(db, ux))
    assert any(s.startswith("Place expired") for s in _subjects(db, uy))
    services.override(xa, "removed", actor=make_coordinator(), reason="licence revoked")
    assert xa.status == S.removed and offer.booth_taken == 0
    assert any(s.startswith("Place removed") for s in _subjects(db, ux))
    assert counter_drift() == []


def test_expire_with_nothing_to_expire_is_one_statement(app, db, programme):
    offer = closed_offer(programme, booth_capacity=1)
    for _ in range(5):
        apply(company_with_user(size_class="small")[0], offer, 1)
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert services.expire_overdue() == (0, 0)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Old code: a locked walk of every waitlisted row of every published programme.
    assert len(statements) == 1 and "applications" in statements[0]


def test_export_current_gives_statuses_and_positions_now(db, programme, runner):
    offer = closed_offer(programme, booth_capacity=1)
    x, ux = company_with_user(size_class="small")
    xa = apply(x, offer, 1)
    waits = [apply(company_with_user(size_class="middle-market")[0], offer, 1) for _ in range(2)]
    services.run_allocation(programme, actor=None, dry_run=False)
    services.decline(xa, ux)
    db.session.commit()
    before = json.loads(runner.invoke(args=["allocation", "export", programme.slug]).output)
    current = json.loads(runner.invoke(args=["allocation", "export", programme.slug,
                                             "--current"]).output)
    assert {a["id"]: a["status"] for a in before["applications"]}[str(xa.id)] == "allocated"
    now = {a["id"]: (a["status"], a["waitlist_position"]) for a in current["applications"]}
    assert now[str(xa.id)] == ("declined", None)
    assert sorted(now[str(a.id)] for a in waits) == [("allocated", None), ("waitlisted", 1)]
    assert set(current) == set(before) and current["seed"] == before["seed"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 3


def test_a_programme_publishing_past_results_scores_them_once(db, programme):
    # Issue 10, item 7 (selection that learns): recorded attendance reaches the breakdown, and a
    # no-show is not counted by both the old counter and the recorded attendance.
    from planner.outcomes.models import Attendance, AttendanceStatus
    from tests.factories import make_exhibition, make_offer, make_programme

    earlier = make_offer(programme=make_programme(), exhibition=make_exhibition(
        starts_on=dt.date(2024, 6, 10), ends_on=dt.date(2024, 6, 14), edition_year=2024))
    programme.criteria = {**(programme.criteria or {}), "past_no_show": 7, "no_show_penalty": 5}
    offer = closed_offer(programme)
    x, _ux = company_with_user(size_class="small", no_show_count=1)
    xa = apply(x, offer, 1)
    db.session.add(Attendance(offer=earlier, company=x, status=AttendanceStatus.no_show))
    db.session.flush()
    run = services.run_allocation(programme, actor=None, dry_run=True)
    breakdown = db.session.scalar(select(AllocationResult.breakdown).where(
        AllocationResult.run_id == run.id, AllocationResult.application_id == xa.id))
    assert breakdown["past_no_show"] == -7.0 and breakdown["no_show_penalty"] == 0.0
    assert "report_on_time" not in breakdown  # not published, not listed


def test_series_keys_match_editions_not_acronyms():
    from planner.catalogue.series import exhibition_series_keys, series_key
    assert series_key("Eurosatory 2024") == series_key("eurosatory-2024") == series_key("EUROSATORY")
    eurosatory_2026 = exhibition_series_keys(name="Eurosatory 2026", slug="eurosatory-2026")
    assert series_key("Eurosatory 2024") in eurosatory_2026
    sea_air_space = exhibition_series_keys(name="Sea-Air-Space 2026", slug="sea-air-space-2026")
    assert series_key("SAS") not in sea_air_space and series_key("Sea Air Space 2024") in sea_air_space


def test_a_company_that_exhibited_at_an_earlier_edition_is_no_first_timer(db, programme):
    # Issue 10, item 8: "Eurosatory 2024" in the profile earned the first-timer's points at
    # Eurosatory 2026, and "SAS" (Singapore Airshow) cost them at Sea-Air-Space.
    from tests.factories import make_exhibition
    programme.criteria = {**(programme.criteria or {}), "first_time_at_exhibition": 20}
    eurosatory = closed_offer(programme, exhibition=make_exhibition(
        name="Eurosatory 2026", slug="eurosatory-2026", acronym="EUROSATORY"))
    sas = closed_offer(programme, exhibition=make_exhibition(
        name="Sea-Air-Space 2026", slug="sea-air-space-2026", acronym="SAS"))
    x, _ux = company_with_user(size_class="small", prior_exhibitions=["Eurosatory 2024", "SAS"])
    xe, xs = apply(x, eurosatory, 1), apply(x, sas, 2)
    run = services.run_allocation(programme, actor=None, dry_run=True)
    breakdowns = dict(db.session.execute(select(AllocationResult.application_id, AllocationResult.breakdown)
                                         .where(AllocationResult.run_id == run.id)).all())
    assert breakdowns[xe.id]["first_time_at_exhibition"] == 0.0
    assert breakdowns[xs.id]["first_time_at_exhibition"] == 20.0


def test_the_seed_is_drawn_by_the_system_committed_first_and_never_chosen(db, programme, client, runner):
    # Issue 10, item 11: `allocation run P --seed S` published with any seed, and previews
    # could be repeated until one pleased.
    import hashlib
    offer = closed_offer(programme, booth_capacity=1)
    for _ in range(3):
        apply(company_with_user(size_class="small")[0], offer, 1)
    db.session.commit()
    page = client.get(f"/programmes/{programme.slug}/results").get_data(as_text=True)
    drawn = services.programme_seed(programme)
    assert drawn is not None and hashlib.sha256(drawn.seed.encode()).hexdigest() in page
    assert drawn.seed not in page  # revealed only with the results
    first = services.run_allocation(programme, actor=None, dry_run=True)
    second = services.run_allocation(programme, actor=None, dry_run=True)
    assert first.seed == second.seed == drawn.seed
    db.session.commit()
    refused = runner.invoke(args=["allocation", "run", programme.slug, "--seed", "lucky"])
    assert refused.exit_code != 0 and services.get_published_run(programme) is None
    assert runner.invoke(args=["allocation", "run", programme.slug]).exit_code == 0
    db.session.expire_all()
    assert services.get_published_run(programme).seed == drawn.seed


def test_a_programme_without_ranked_offers_publishes_no_run(db, programme):
    import pytest
    with pytest.raises(services.NoRun):
        services.run_allocation(programme, actor=None, dry_run=False)
    assert services.get_published_run(programme) is None


def test_a_rule_edit_after_publication_does_not_rewrite_committed_money(db, programme):
    # Issue 10, item 3: changing a share after publication changed confirmed places' subsidy.
    offer = closed_offer(programme, booth_capacity=1, booth_cost_krw=10_000_000)
    x, ux = company_with_user(size_class="small")
    xa = apply(x, offer, 1)
    now = dt.datetime.now(UTC)
    run = services.run_allocation(programme, actor=None, dry_run=False, now=now)
    services.confirm(xa, ux, now=now)
    before = services.programme_budget(programme).confirmed_krw
    programme.subsidy_shares = {**programme.subsidy_shares, "small": 0.1}
    db.session.flush()
    assert services.programme_budget(programme).confirmed_krw == before == 7_000_000
    assert run.inputs["subsidy_shares"]["small"] == 0.7


def test_a_run_without_applications_keeps_its_inputs(db, programme):
    closed_offer(programme, booth_capacity=2)
    run = services.run_allocation(programme, actor=None, dry_run=True)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(run), run.id).inputs["cap_per_company"] == programme.cap_per_company


def test_allocation_check_reports_a_counter_that_drifted(db, programme, runner):
    offer = closed_offer(programme, booth_capacity=2)
    apply(company_with_user(size_class="small")[0], offer, 1)
    services.run_allocation(programme, actor=None, dry_run=False)
    db.session.commit()
    assert runner.invoke(args=["allocation", "check"]).exit_code == 0
    offer.booth_taken = 2  # what ten parallel declines once left behind
    db.session.commit()
    result = runner.invoke(args=["allocation", "check"])
    assert result.exit_code != 0 and f"offer {offer.id} booth: counter 2, holders 1" in result.output


def test_a_first_come_place_withdrawn_after_its_window_goes_to_its_first_come_waitlist(db, programme):
    # Issue 10, item 9: such a place was never offered to the first-come waitlist.
    from planner.catalogue.models import OfferMode
    from tests.factories import make_application
    closed_offer(programme)  # the programme's ranked call
    first_come = closed_offer(programme, mode=OfferMode.first_come, booth_capacity=1)
    h, uh = company_with_user(size_class="small")
    w, uw = company_with_user(size_class="medium")
    held = make_application(company=h, offer=first_come, status=S.confirmed)
    waiting = make_application(company=w, offer=first_come, status=S.waitlisted)
    first_come.booth_taken = 1
    services.run_allocation(programme, actor=None, dry_run=False)
    services.withdraw(held, uh)
    assert waiting.status == S.confirmed and first_come.booth_taken == 1
    assert counter_drift() == []
