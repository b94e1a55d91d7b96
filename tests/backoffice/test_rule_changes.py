"""Issue 10, item 3: rules that hold. A confirmed place keeps the money of the rules it was
confirmed under; changing the rules after the first application needs an admin and a reason,
shows who is affected before saving, is logged with before and after and told to the
companies concerned, each in its language."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from planner.allocation import services as allocation
from planner.backoffice import cofunding, rule_changes
from planner.backoffice.models import ProgrammeRuleChange
from planner.catalogue.services import ProgrammeInput
from planner.errors import Forbidden
from planner.notifications.models import OutboxMessage
from planner.signups.models import ApplicationStatus as S
from tests.allocation.conftest import apply, closed_offer, company_with_user
from tests.factories import make_programme, make_user

UTC = dt.timezone.utc
COST = 10_000_000


def _input(programme, **rules) -> ProgrammeInput:
    values = dict(slug=programme.slug, name=programme.name, year=programme.year,
                  budget_krw=programme.budget_krw, cap_per_company=programme.cap_per_company,
                  eligible_size_classes=list(programme.eligible_size_classes),
                  subsidy_shares=dict(programme.subsidy_shares), criteria=dict(programme.criteria))
    values.update(rules)
    return ProgrammeInput(**values)


@pytest.fixture
def published(db):
    """A published programme (small companies 70 %): X confirmed its place at A, Y (small, Korean
    speaker) holds a place at B not yet confirmed, Z (medium) is allocated at C."""
    programme = make_programme(slug="rules-2027", cap_per_company=1,
                               subsidy_shares={"small": 0.7, "medium": 0.5, "middle-market": 0.3, "large": 0.0})
    a, b, c = (closed_offer(programme, booth_cost_krw=COST, timezone="Europe/Paris") for _ in range(3))
    x, ux = company_with_user(size_class="small")
    y, _ = company_with_user(size_class="small")
    uy = make_user(company=y, locale="ko")
    z, uz = company_with_user(size_class="medium")
    xa, yb, zc = apply(x, a, 1), apply(y, b, 1), apply(z, c, 1)
    allocation.run_allocation(programme, actor=None, dry_run=False)
    allocation.confirm(xa, ux)
    assert (xa.status, yb.status, zc.status) == (S.confirmed, S.allocated, S.allocated)
    return dict(programme=programme, xa=xa, yb=yb, zc=zc, ux=ux, uy=uy, uz=uz)


def test_a_share_change_after_confirmation_leaves_the_confirmed_place_as_it_was(db, published, admin):
    programme, xa, yb = published["programme"], published["xa"], published["yb"]
    assert (xa.subsidy_krw, xa.company_share_krw, xa.subsidy_share) == (7_000_000, 3_000_000, 0.7)
    before = cofunding.list_shares(application_ids=[xa.id])[0]
    rule_changes.change_rules(programme, _input(programme, subsidy_shares={
        "small": 0.4, "medium": 0.5, "middle-market": 0.3, "large": 0.0}), actor=admin, reason="Budget cut")
    db.session.expire_all()
    # Old code: the share due followed the programme's new rule (6,000,000).
    share = cofunding.list_shares(application_ids=[xa.id])[0]
    assert share.due_krw == before.due_krw == 3_000_000 and share.subsidy_krw == 7_000_000
    assert allocation.programme_budget(programme).confirmed_krw == 7_000_000
    # Not yet confirmed: follows the new rules, and is recorded so when confirmed.
    allocation.confirm(yb, make_user(company=yb.company))
    assert (yb.subsidy_krw, yb.company_share_krw) == (4_000_000, 6_000_000)


def test_the_company_sees_the_price_it_confirmed_after_a_share_change(db, client, login_as, published, admin):
    programme, xa, ux = published["programme"], published["xa"], published["ux"]
    rule_changes.change_rules(programme, _input(programme, subsidy_shares={
        "small": 0.4, "medium": 0.5, "middle-market": 0.3, "large": 0.0}), actor=admin, reason="Budget cut")
    login_as(ux)
    html = client.get(f"/my/applications/{xa.id}").get_data(as_text=True)
    assert "3,000,000" in html  # what it confirmed at 70 %
    assert "6,000,000" not in html


def test_a_coordinator_may_not_change_rules_once_companies_applied(db, published):
    from tests.factories import make_coordinator
    with pytest.raises(Forbidden):
        rule_changes.change_rules(published["programme"], _input(published["programme"], cap_per_company=2),
                                  actor=make_coordinator(), reason="More places")


def test_an_admin_must_give_a_reason(db, published, admin):
    programme = published["programme"]
    with pytest.raises(rule_changes.RuleChangeError, match="reason"):
        rule_changes.change_rules(programme, _input(programme, cap_per_company=2), actor=admin, reason="  ")
    assert programme.cap_per_company == 1


def test_the_preview_lists_the_affected_applications_and_how(db, published):
    programme = published["programme"]
    seen = rule_changes.preview(programme, _input(programme, subsidy_shares={
        "small": 0.4, "medium": 0.5, "middle-market": 0.3, "large": 0.0}))
    # X's confirmed place keeps its money; Z (medium) is untouched; only Y's place changes.
    assert [a.application.id for a in seen.affected] == [published["yb"].id]
    assert {(c.what, c.before, c.after) for c in seen.affected[0].changes} == {
        ("subsidy_share", 70, 40), ("company_share", 3_000_000, 6_000_000)}
    assert seen.confirmed_kept == 1
    assert programme.subsidy_shares["small"] == 0.7  # nothing saved


def test_points_and_cap_before_publication_list_the_submitted_applications(db, admin):
    programme = make_programme(slug="draft-2027", cap_per_company=2)
    offer = closed_offer(programme)
    small, _ = company_with_user(size_class="small")
    medium, _ = company_with_user(size_class="medium")
    sa, ma = apply(small, offer, 1), apply(medium, offer, 1)
    criteria = {**programme.criteria, "size_class": {**programme.criteria["size_class"], "small": 0}}
    seen = rule_changes.preview(programme, _input(programme, criteria=criteria, cap_per_company=1))
    changes = {a.application.id: {c.what: (c.before, c.after) for c in a.changes} for a in seen.affected}
    assert changes[sa.id]["cap"] == (2, 1) and changes[ma.id]["cap"] == (2, 1)
    small_points = programme.criteria["size_class"]["small"]
    before, after = changes[sa.id]["priority"]
    assert before - after == small_points
    assert "priority" not in changes[ma.id]


def test_the_change_is_logged_with_before_and_after_and_told_to_affected_companies_only(db, published, admin):
    programme = published["programme"]
    rule_changes.change_rules(programme, _input(programme, subsidy_shares={
        "small": 0.4, "medium": 0.5, "middle-market": 0.3, "large": 0.0}), actor=admin, reason="Budget cut")
    change = db.session.scalar(select(ProgrammeRuleChange).where(ProgrammeRuleChange.programme_id == programme.id))
    assert change.actor_id == admin.id and change.reason == "Budget cut"
    assert change.before["subsidy_shares"]["small"] == 0.7 and change.after["subsidy_shares"]["small"] == 0.4
    assert change.companies == 1
    assert ("subsidy_shares.small", 0.7, 0.4) in rule_changes.rule_differences(change.before, change.after)
    mails = {m.to_addr: m for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "backoffice.rules_changed"))}
    # Y's users only (its Korean speaker in Korean); not X (confirmed), not Z (medium, unchanged).
    assert published["uy"].email in mails
    assert published["ux"].email not in mails and published["uz"].email not in mails
    korean = mails[published["uy"].email]
    english = [m for m in mails.values() if m.to_addr != published["uy"].email]
    assert english and english[0].subject.startswith("The rules of")
    # The deadline in the offer's zone (Paris), in each reader's language.
    assert "Europe/Paris" in english[0].body_text and "프랑스" in korean.body_text
    assert "규칙" in korean.subject and "Budget cut" in korean.body_text
    assert "6,000,000" in korean.body_text


# --- view level -------------------------------------------------------------------------------

def _form(app, programme) -> dict:
    from tests.backoffice.test_views import _as_shown
    return _as_shown(app, programme)


def test_coordinator_gets_403_with_a_message(app, db, client, login_as, published, coordinator):
    programme = published["programme"]
    data = dict(_form(app, programme), share_small="40")
    db.session.commit()
    login_as(coordinator)
    response = client.post(f"/backoffice/programmes/{programme.slug}/edit", data=data)
    assert response.status_code == 403
    assert "only an administrator may change them" in response.get_data(as_text=True)


def test_admin_previews_then_confirms_with_a_reason(app, db, client, login_as, published, admin):
    programme = published["programme"]
    data = dict(_form(app, programme), share_small="40", rules_reason="")
    login_as(admin)
    preview = client.post(f"/backoffice/programmes/{programme.slug}/edit", data=data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert published["yb"].company.legal_name in html
    assert published["zc"].company.legal_name not in html
    assert programme.subsidy_shares["small"] == 0.7  # the preview saved nothing
    digest = re.search(r'name="rules_digest"[^>]*value="([0-9a-f]+)"', html).group(1)

    # Confirming without a reason is refused, and saves nothing.
    refused = client.post(f"/backoffice/programmes/{programme.slug}/edit",
                          data=dict(data, rules_digest=digest, confirm="1"))
    assert refused.status_code == 400 and "reason" in refused.get_data(as_text=True)
    db.session.refresh(programme)
    assert programme.subsidy_shares["small"] == 0.7

    done = client.post(f"/backoffice/programmes/{programme.slug}/edit",
                       data=dict(data, rules_digest=digest, confirm="1", rules_reason="Budget cut"))
    assert done.status_code == 302
    db.session.refresh(programme)
    assert programme.subsidy_shares["small"] == 0.4
    page = client.get(f"/backoffice/programmes/{programme.slug}").get_data(as_text=True)
    assert "Budget cut" in page and "70% → 40%" in page


def test_the_run_page_shows_the_shares_the_run_was_made_under(db, client, login_as, published, admin):
    programme = published["programme"]
    rule_changes.change_rules(programme, _input(programme, subsidy_shares={
        "small": 0.4, "medium": 0.5, "middle-market": 0.3, "large": 0.0}), actor=admin, reason="Budget cut")
    run = allocation.get_published_run(programme)
    login_as(admin)
    html = client.get(f"/backoffice/allocation/runs/{run.id}").get_data(as_text=True)
    assert "70%" in html and "40%" not in html


def test_the_migration_records_the_money_of_places_confirmed_before_it(tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from planner import create_app
    from planner.extensions import db as database
    from tests.conftest import scratch_database
    from tests.factories import make_application, make_company, make_offer
    with scratch_database(tmp_path, "planner_h5_backfill") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade(directory="migrations")
            programme = make_programme(eligible_size_classes=["small"], subsidy_shares={"small": 0.7})
            offer = make_offer(programme=programme, booth_cost_krw=COST)
            confirmed = make_application(offer=offer, company=make_company(size_class="small"),
                                         status=S.confirmed)
            large = make_application(offer=offer, company=make_company(size_class="large"), status=S.confirmed)
            waiting = make_application(offer=offer, company=make_company(size_class="small"), status=S.waitlisted)
            ids = (confirmed.id, large.id, waiting.id)
            database.session.commit()
            database.session.remove()
            downgrade(directory="migrations", revision="3b7d2c9e41f0")  # the step before rules versioning
            upgrade(directory="migrations")
            rows = {r[0]: tuple(r[1:]) for r in database.session.execute(text(
                "SELECT id, subsidy_krw, company_share_krw, subsidy_share FROM applications"))}
            assert rows[ids[0]] == (7_000_000, 3_000_000, 0.7)
            assert rows[ids[1]] == (0, COST, 0.0)      # a size class the programme does not subsidise
            assert rows[ids[2]] == (None, None, None)  # not confirmed: follows the rules of the day
            database.session.remove()
            database.engine.dispose()


@pytest.mark.postgres_only
def test_two_admins_confirming_the_same_change_at_once_apply_it_once(app, db, published, admin):
    # Both confirm the one preview at the same moment: the second waits on the programme's lock,
    # reads the rules the first saved, no longer matches its preview and is refused.
    from planner.extensions import db as _db
    from tests.concurrency import at_once
    programme = published["programme"]
    new_shares = {"small": 0.4, "medium": 0.5, "middle-market": 0.3, "large": 0.0}
    digest = rule_changes.preview(programme, _input(programme, subsidy_shares=new_shares)).digest
    second_admin = make_user(role=admin.role, email="second-admin@agency.example")
    ids = (programme.id, admin.id, second_admin.id)
    db.session.commit()
    mails_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    def confirm(user_id: int):
        def run() -> str:
            from planner.accounts.models import User
            from planner.catalogue.models import Programme
            with app.app_context():
                try:
                    mine = _db.session.get(Programme, ids[0])
                    rule_changes.change_rules(mine, _input(mine, subsidy_shares=new_shares),
                                              actor=_db.session.get(User, user_id), reason="Budget cut",
                                              digest=digest)
                    _db.session.commit()
                    return "applied"
                except rule_changes.RuleChangeError:
                    _db.session.rollback()
                    return "refused"
                finally:
                    _db.session.remove()
        return run

    outcomes = at_once([confirm(ids[1]), confirm(ids[2])])
    assert sorted(map(str, outcomes)) == ["applied", "refused"], outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ProgrammeRuleChange)) == 1
    mailed = db.session.scalar(select(func.count()).select_from(OutboxMessage)) - mails_before
    assert mailed == 2  # the one affected company (Y): its two users, each told once
