"""Allocation runs over a programme's ranked offers, publication, confirmations, waitlist
promotions, overrides and the subsidy budget: the database adapter around the pure core
(scoring.py, lottery.py, matching.py)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import Column, bindparam, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from planner.accounts.models import Company, User
from planner.allocation import lottery, matching, reasons as audit, scoring
from planner.allocation.models import AllocationResult, AllocationRun
from planner.catalogue.models import Exhibition, Offer, OfferMode, Programme
from planner.catalogue.services import company_share_krw
from planner.db import utcnow
from planner.errors import PlannerError
from planner.extensions import db
from planner.notifications import services as notifications
from planner.notifications.models import OutboxMessage
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus, PlaceKind
from planner.signups.services import ALLOWED_TRANSITIONS, change_status

S = ApplicationStatus
KINDS: tuple[str, ...] = (PlaceKind.booth.value, PlaceKind.delegation.value)


def _(message: str, **variables: object) -> str:
    """gettext that also works in CLI commands and timers: the app's locale selector reads the
    request, so outside one (and outside force_locale) the English text is used."""
    try:
        return gettext(message, **variables)
    except RuntimeError:
        return message % variables if variables else message


HELD = (S.allocated.value, S.confirmed.value)
# Licence states of an exhibit that let it travel (export readiness, allocation rule 1).
LICENCE_OK = frozenset({"granted", "not_needed", "not-needed", "not needed", "none"})


class AllocationError(PlannerError):
    pass


class PublishedAlready(AllocationError):
    pass


class WindowsOpen(AllocationError):
    pass


class NoRun(AllocationError):
    pass


class ConfirmationClosed(AllocationError):
    pass


class NotAllocated(AllocationError):
    pass


class CapacityFull(AllocationError):
    pass


class CapReached(AllocationError):
    pass


class ReasonRequired(AllocationError):
    pass


class RunChanged(AllocationError):
    pass


class NotPreviewed(AllocationError):
    pass


# --- loading the run's inputs -------------------------------------------------------------


@dataclass(frozen=True)
class _AppRow:
    id: int
    company_id: int
    offer_id: int
    kind: str
    preference: int
    status: str
    answers: Mapping[str, object]
    attested: bool
    other_funding: bool
    ineligible_reason: str | None


def ranked_offers(programme: Programme) -> list[Offer]:
    return list(db.session.scalars(
        select(Offer).where(Offer.programme_id == programme.id, Offer.mode == OfferMode.ranked)
        .order_by(Offer.id)))


def _load_applications(offer_ids: Sequence[int]) -> list[_AppRow]:
    if not offer_ids:
        return []
    t = Application.__table__
    rows = db.session.execute(
        select(t.c.id, t.c.company_id, t.c.offer_id, t.c.kind, t.c.preference, t.c.status,
               t.c.answers, t.c.export_control_attested, t.c.other_public_funding,
               t.c.ineligible_reason)
        .where(t.c.offer_id.in_(offer_ids)).order_by(t.c.id))
    return [_AppRow(r.id, r.company_id, r.offer_id, str(r.kind), r.preference, str(r.status),
                    r.answers or {}, bool(r.export_control_attested), bool(r.other_public_funding),
                    r.ineligible_reason) for r in rows]


def _current_statuses(ids: Sequence[int], *, lock: bool) -> dict[int, tuple[str, str | None]]:
    """(status, ineligible reason) of each application as committed now."""
    t = Application.__table__
    found: dict[int, tuple[str, str | None]] = {}
    # Chunked so the IN list stays within every driver's parameter limit.
    for start in range(0, len(ids), 5000):
        query = select(t.c.id, t.c.status, t.c.ineligible_reason).where(t.c.id.in_(ids[start:start + 5000]))
        if lock:
            query = query.with_for_update()
        found.update((r.id, (str(r.status), r.ineligible_reason)) for r in db.session.execute(query))
    return found


def profile_complete(company: Company | _CompanyFacts) -> bool:
    """A profile the programme can judge: name, size class, at least one sector, products."""
    return bool(company.legal_name and company.size_class and company.sectors
                and (company.products or "").strip())


@dataclass(frozen=True)
class _CompanyFacts:
    id: int
    legal_name: str
    size_class: str
    sectors: tuple[str, ...]
    products: str | None
    has_defence_exports: bool
    prior_exhibitions: frozenset[str]
    no_show_count: int


def _load_companies(company_ids: Iterable[int]) -> dict[int, _CompanyFacts]:
    ids = sorted(set(company_ids))
    t = Company.__table__
    out: dict[int, _CompanyFacts] = {}
    for start in range(0, len(ids), 5000):
        for r in db.session.execute(
                select(t.c.id, t.c.legal_name, t.c.size_class, t.c.sectors, t.c.products,
                       t.c.has_defence_exports, t.c.prior_exhibitions, t.c.no_show_count)
                .where(t.c.id.in_(ids[start:start + 5000]))):
            out[r.id] = _CompanyFacts(
                r.id, r.legal_name, str(r.size_class), tuple(r.sectors or ()), r.products,
                bool(r.has_defence_exports),
                frozenset(str(p).casefold() for p in (r.prior_exhibitions or ())),
                int(r.no_show_count or 0))
    return out


def _subsidised_last_year(programme: Programme, company_ids: Iterable[int]) -> set[int]:
    """Companies holding a subsidised place (allocated or confirmed) in a programme of the
    previous year: the "no subsidised place in the previous year" criterion."""
    previous = select(Programme.id).where(Programme.year == programme.year - 1)
    ids = set(company_ids)
    return {cid for cid in db.session.scalars(
        select(Application.company_id).distinct()
        .where(Application.programme_id.in_(previous), Application.status.in_(HELD)))
        if cid in ids}


def _exhibition_keys(exhibition: Exhibition) -> frozenset[str]:
    keys = {exhibition.slug, exhibition.name}
    if exhibition.acronym:
        keys.add(exhibition.acronym)
    return frozenset(k.casefold() for k in keys if k)


def _export_ready(company: _CompanyFacts, answers: Mapping[str, object]) -> bool:
    if company.has_defence_exports:
        return True
    exhibits = answers.get("exhibits") or []
    if not isinstance(exhibits, list):
        return False
    for exhibit in exhibits:
        if not isinstance(exhibit, Mapping):
            return False
        if exhibit.get("needs_licence") is False:
            continue
        if str(exhibit.get("licence_status") or "").casefold() not in LICENCE_OK:
            return False
    return True


# --- the run ---------------------------------------------------------------------------------


@dataclass
class _Computed:
    slots: list[matching.Slot]
    candidates: list[matching.Candidate]
    scores: dict[int, scoring.Score]
    tiebreaks: dict[int, float]
    reasons: dict[int, str]        # ineligible applications and why
    withdrawn: set[int]            # not matched: withdrawn before the run (or changed since)
    matching: matching.Matching


def _match(slots: list[matching.Slot], candidates: list[matching.Candidate],
           cap: int) -> matching.Matching:
    return matching.deferred_acceptance(slots, candidates, cap)


def _compute(programme: Programme, offers: list[Offer], apps: list[_AppRow], seed: str) -> _Computed:
    """Eligibility, scores, lottery numbers and the matching for the loaded applications."""
    companies = _load_companies(app.company_id for app in apps)
    last_year = _subsidised_last_year(programme, companies)
    exhibition_keys = {o.id: _exhibition_keys(o.exhibition) for o in offers}
    exhibition_sectors = {o.id: frozenset(str(s) for s in o.exhibition.sectors) for o in offers}
    criteria = programme.criteria or {}
    eligible_sizes = list(programme.eligible_size_classes or [])

    slots = []
    for offer in offers:
        # Places already held (none before the first publication) are not offered again.
        slots.append(matching.Slot((offer.id, "booth"), max(offer.booth_capacity - offer.booth_taken, 0)))
        slots.append(matching.Slot((offer.id, "delegation"),
                                   max(offer.delegation_capacity - offer.delegation_taken, 0)))
    candidates: list[matching.Candidate] = []
    scores: dict[int, scoring.Score] = {}
    tiebreaks: dict[int, float] = {}
    reasons: dict[int, str] = {}
    withdrawn: set[int] = set()
    # Facts take few distinct values (size class, five yes/no answers, no-shows): scoring each
    # combination once keeps a 20,000-application run from re-adding the same points.
    score_of: dict[scoring.Facts, scoring.Score] = {}
    submitted, ineligible = S.submitted.value, S.ineligible.value
    for app in apps:
        company = companies[app.company_id]
        status = app.status
        facts = scoring.Facts(
            size_class=company.size_class,
            first_time_at_exhibition=not (exhibition_keys[app.offer_id] & company.prior_exhibitions),
            subsidised_last_year=company.id in last_year,
            sector_fit=not exhibition_sectors[app.offer_id].isdisjoint(company.sectors),
            export_ready=_export_ready(company, app.answers),
            no_shows=company.no_show_count,
        )
        # Every application gets its score and lottery number, so the export and the pages
        # show the same fields for all; only eligible, submitted ones are matched.
        score = score_of.get(facts)
        if score is None:
            score = score_of[facts] = scoring.score(criteria, facts)
        scores[app.id] = score
        tiebreaks[app.id] = lottery.tiebreak(seed, str(app.id))
        if status == ineligible:
            reasons[app.id] = app.ineligible_reason or scoring.INELIGIBLE_PROFILE
            continue
        if status != submitted:
            withdrawn.add(app.id)
            continue
        reason = scoring.check_eligibility(
            size_class=company.size_class, eligible_size_classes=eligible_sizes,
            profile_complete=profile_complete(company), attested=app.attested,
            other_public_funding=app.other_funding)
        if reason is not None:
            reasons[app.id] = reason
            continue
        candidates.append(matching.Candidate(
            application_id=app.id, company_id=app.company_id, slot=(app.offer_id, app.kind),
            preference=app.preference, priority=score.total,
            tiebreak=tiebreaks[app.id]))
    result = _match(slots, candidates, programme.cap_per_company)
    return _Computed(slots, candidates, scores, tiebreaks, reasons, withdrawn, result)


def _result_rows(run_id: int, apps: list[_AppRow], computed: _Computed) -> list[dict[str, object]]:
    positions = computed.matching.positions()
    allocated = computed.matching.allocated
    breakdowns: dict[int, dict[str, float]] = {}  # one dict per distinct Score
    rows = []
    for app in apps:
        position = None
        reason = computed.reasons.get(app.id)
        if reason is not None:
            outcome = "ineligible"
        elif app.id in computed.withdrawn:
            outcome = "withdrawn"
        elif app.id in allocated:
            outcome = "allocated"
        else:
            outcome, position = "waitlisted", positions.get(app.id)
        score = computed.scores[app.id]
        breakdown = breakdowns.get(id(score))
        if breakdown is None:
            breakdown = breakdowns[id(score)] = score.as_dict()
        rows.append(dict(run_id=run_id, application_id=app.id, outcome=outcome,
                         priority=score.total, tiebreak=computed.tiebreaks[app.id],
                         breakdown=breakdown, waitlist_position=position, reason=reason))
    return rows


def get_published_run(programme: Programme) -> AllocationRun | None:
    return db.session.scalar(
        select(AllocationRun).where(AllocationRun.published_programme_id == programme.id))


def get_latest_run(programme: Programme) -> AllocationRun | None:
    """The published run, or else the latest dry run."""
    return get_published_run(programme) or db.session.scalar(
        select(AllocationRun).where(AllocationRun.programme_id == programme.id)
        .order_by(AllocationRun.created_at.desc(), AllocationRun.id.desc()).limit(1))


def list_runs(programme: Programme) -> list[AllocationRun]:
    return list(db.session.scalars(
        select(AllocationRun).where(AllocationRun.programme_id == programme.id)
        .order_by(AllocationRun.id.desc())))


def run_allocation(programme: Programme, *, actor: User | None, dry_run: bool,
                   seed: str | None = None, now: dt.datetime | None = None) -> AllocationRun:
    """Allocate the programme's ranked offers together (allocation rules 1-5, 8).

    Eligibility gates first, then scores and lottery numbers, then company-proposing deferred
    acceptance; one AllocationResult per application. A dry run changes no status. Publishing
    also moves every matched application to allocated / waitlisted / ineligible (audit rows
    included), raises the offers' taken counters and mails each company once.
    Raises PublishedAlready if the programme has a published run, WindowsOpen when publishing
    while an application window is still open.
    """
    now = now or utcnow()
    if get_published_run(programme) is not None:
        raise PublishedAlready(_("This programme's allocation is already published; it can only be "
                                 "amended by promotions and overrides."))
    offers = ranked_offers(programme)
    if not dry_run:
        still_open = [o for o in offers if o.closes_at > now]
        if still_open:
            raise WindowsOpen(_("%(count)s application windows are still open (the first closes on "
                                "%(date)s); publish after they have all closed.",
                                count=len(still_open),
                                date=min(o.closes_at for o in still_open).strftime("%Y-%m-%d %H:%M UTC")))
    seed = seed or lottery.new_seed()
    apps = _load_applications([o.id for o in offers])
    computed = _compute(programme, offers, apps, seed)

    run = AllocationRun(programme_id=programme.id, seed=seed, is_dry_run=dry_run,
                        created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(run)
    if not dry_run:
        run.published_programme_id = programme.id
        run.published_at = now
    try:
        # A savepoint, so losing the race to publish leaves the caller's transaction usable.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise PublishedAlready(_("Another coordinator has just published this programme's "
                                 "allocation.")) from None

    if not dry_run:
        # From here this transaction holds the write lock (SQLite) or the rows (PostgreSQL), so
        # a withdrawal committed while we computed is seen now and cannot slip in afterwards.
        submitted_read = [a.id for a in apps if a.status == S.submitted.value]
        now_status = _current_statuses(submitted_read, lock=True)
        changed = {aid: now_status.get(aid, (S.withdrawn.value, None)) for aid in submitted_read
                   if now_status.get(aid, (None, None))[0] != S.submitted.value}
        if changed:
            # Withdrawn or marked ineligible meanwhile: the run records what they are now, and
            # the matching is recomputed so their places go to others.
            apps = [replace(a, status=changed[a.id][0], ineligible_reason=changed[a.id][1])
                    if a.id in changed else a for a in apps]
            computed = _compute(programme, offers, apps, seed)

    run.inputs = _inputs_snapshot(programme, offers, apps, computed)
    rows = _result_rows(run.id, apps, computed)
    if rows:
        db.session.execute(insert(AllocationResult.__table__), rows)
    if not dry_run:
        _apply_publication(programme, offers, apps, rows, actor=actor, now=now)
    db.session.flush()
    return run


def publish_preview(previewed: AllocationRun, *, seed: str, actor: User | None,
                    now: dt.datetime | None = None) -> AllocationRun:
    """Publish the programme of a dry run with that run's seed, so the lottery is the one the
    coordinator previewed (allocation rule 2), never a seed typed in or tried out elsewhere.

    `seed` is the one the publishing page showed; raises NotPreviewed when it is not the
    previewed run's seed or the run is no dry run, and what run_allocation raises.
    """
    if not previewed.is_dry_run or seed != previewed.seed:
        raise NotPreviewed(_("Only a previewed run can be published, with the lottery seed it was "
                             "previewed with. Open the preview again and publish from its page."))
    programme = db.session.get(Programme, previewed.programme_id)
    if programme is None:
        raise NoRun(_("This run's programme no longer exists."))
    return run_allocation(programme, actor=actor, dry_run=False, seed=previewed.seed, now=now)


def _inputs_snapshot(programme: Programme, offers: list[Offer], apps: list[_AppRow],
                     computed: _Computed) -> dict[str, object]:
    by_offer = {o.id: o for o in offers}
    return {
        "programme": programme.slug,
        "cap_per_company": programme.cap_per_company,
        "criteria": programme.criteria,
        "eligible_size_classes": list(programme.eligible_size_classes or []),
        "slots": [{"offer_id": s.key[0], "exhibition": by_offer[s.key[0]].exhibition.slug,
                   "kind": s.key[1], "capacity": s.capacity} for s in computed.slots],
        "applications": len(apps),
        "candidates": len(computed.candidates),
    }


def _apply_publication(programme: Programme, offers: list[Offer], apps: list[_AppRow],
                       rows: list[dict[str, object]], *, actor: User | None,
                       now: dt.datetime) -> None:
    """Status changes, audit rows, counters and mails of a publication, in bulk.

    The transitions change_status() allows, but applied as a few UPDATEs, each for every
    application sharing the same new values (status, deadline, reason) and conditional on the
    status the run read, plus one bulk INSERT of the audit rows (one per change): 20,000 ORM
    flushes, or even 20,000 parameter sets, would not fit in the run's time budget.
    """
    offer_by_id = {o.id: o for o in offers}
    app_by_id = {a.id: a for a in apps}
    t = Application.__table__
    # (status, confirm_by, ineligible_reason) -> application ids
    groups: dict[tuple[str, dt.datetime | None, str | None], list[int]] = defaultdict(list)
    events: list[dict[str, object]] = []
    taken: dict[tuple[int, str], int] = defaultdict(int)
    actor_id = actor.id if actor else None
    reasons = {
        S.allocated.value: audit.PUBLISHED_ALLOCATED,
        S.waitlisted.value: audit.PUBLISHED_WAITLISTED,
    }
    for row in rows:
        app = app_by_id[row["application_id"]]
        to = str(row["outcome"])
        if app.status != S.submitted.value or to == S.withdrawn.value:
            continue
        if ApplicationStatus(to) not in ALLOWED_TRANSITIONS[S.submitted]:
            raise AllocationError(f"transition submitted -> {to} is not allowed")
        confirm_by = None
        if to == S.allocated.value:
            confirm_by = now + dt.timedelta(days=offer_by_id[app.offer_id].confirmation_days)
            taken[(app.offer_id, app.kind)] += 1
        reason = str(row["reason"]) if to == S.ineligible.value else None
        groups[(to, confirm_by, reason)].append(app.id)
        events.append(dict(application_id=app.id, actor_id=actor_id, at=now,
                           from_status=S.submitted.value, to_status=to,
                           reason=row["reason"] or reasons.get(to), is_override=False))

    for (to, confirm_by, reason), ids in groups.items():
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            result = db.session.execute(
                update(t).where(t.c.id.in_(chunk), t.c.status == S.submitted.value)
                .values(status=to, confirm_by=confirm_by, ineligible_reason=reason, updated_at=now))
            if result.rowcount != len(chunk):
                # Cannot happen while the rows are locked; refuse rather than publish half.
                raise RunChanged(_("Applications changed while the allocation was being "
                                   "published; nothing was published. Please run it again."))
    if events:
        db.session.execute(insert(ApplicationEvent.__table__), events)
    _raise_counters(taken)
    _mail_companies(programme, offer_by_id, app_by_id, rows)
    db.session.expire_all()


def _raise_counters(taken: Mapping[tuple[int, str], int]) -> None:
    o = Offer.__table__
    for kind in KINDS:
        column = o.c.booth_taken if kind == "booth" else o.c.delegation_taken
        capacity = o.c.booth_capacity if kind == "booth" else o.c.delegation_capacity
        batch = [{"b_id": offer_id, "b_n": n} for (offer_id, k), n in taken.items() if k == kind]
        if not batch:
            continue
        statement = (update(o).where(o.c.id == bindparam("b_id"),
                                     column + bindparam("b_n") <= capacity)
                     .values({column: column + bindparam("b_n")}))
        result = db.session.execute(statement, batch)
        if db.engine.dialect.supports_sane_multi_rowcount and result.rowcount != len(batch):
            raise CapacityFull(_("A capacity would be exceeded; nothing was published."))


def _company_recipients(company_ids: Iterable[int]) -> dict[int, list[tuple[str, str | None]]]:
    ids = sorted(set(company_ids))
    out: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    u = User.__table__
    for start in range(0, len(ids), 5000):
        for r in db.session.execute(
                select(u.c.company_id, u.c.email, u.c.locale)
                .where(u.c.company_id.in_(ids[start:start + 5000]), u.c.is_active_account.is_(True))
                .order_by(u.c.id)):
            out[r.company_id].append((r.email, r.locale))
    return out


def _mail_companies(programme: Programme, offer_by_id: Mapping[int, Offer],
                    app_by_id: Mapping[int, _AppRow], rows: list[dict[str, object]]) -> None:
    """One mail per company user summarising all its results, in the user's language
    (bulk-inserted into the outbox: the rows notifications.enqueue() would add, in one go)."""
    per_company: dict[int, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        app = app_by_id[row["application_id"]]
        if row["outcome"] in (S.allocated.value, S.waitlisted.value, S.ineligible.value):
            per_company[app.company_id].append(row)
    recipients = _company_recipients(per_company)
    texts: dict[str, _MailTexts] = {}
    messages = []
    for company_id, results in per_company.items():
        bodies: dict[str, tuple[str, str]] = {}
        for email, locale in recipients.get(company_id, []):
            locale = locale or "en"
            if locale not in texts:
                # Translated once per language: 5,000 mails would otherwise cost 50,000 lookups.
                with force_locale(locale):
                    texts[locale] = _MailTexts.load(programme)
            if locale not in bodies:
                bodies[locale] = texts[locale].render(offer_by_id, app_by_id, results)
            subject, body = bodies[locale]
            messages.append(dict(to_addr=email, subject=subject[:300], body_text=body,
                                 is_sensitive=False))
    if messages:
        db.session.execute(insert(OutboxMessage.__table__), messages)


@dataclass
class _MailTexts:
    subject: str
    intro: str
    outro: str
    kinds: dict[str, str]
    allocated: str
    waitlisted: str
    ineligible: str
    reasons: dict[str, str]

    @classmethod
    def load(cls, programme: Programme) -> _MailTexts:
        # Templates are fetched untranslated-variables-free and filled in by render().
        return cls(
            subject=_("Allocation results: %(programme)s", programme=programme.name),
            intro=_("The allocation of %(programme)s has been published. Your results:",
                    programme=programme.name),
            outro=_("See the score breakdown and confirm or decline your places on the site."),
            kinds={"booth": _("booth"), "delegation": _("delegation")},
            allocated=_("allocated: please confirm within %(days)s days"),
            waitlisted=_("waitlisted, position %(position)s"),
            ineligible=_("ineligible: %(reason)s"),
            reasons={reason: _(reason) for reason in scoring.ELIGIBILITY_REASONS},
        )

    def render(self, offer_by_id: Mapping[int, Offer], app_by_id: Mapping[int, _AppRow],
               results: list[dict[str, object]]) -> tuple[str, str]:
        lines = [self.intro, ""]
        for row in sorted(results, key=lambda r: app_by_id[r["application_id"]].preference):
            app = app_by_id[row["application_id"]]
            offer = offer_by_id[app.offer_id]
            if row["outcome"] == S.allocated.value:
                text = self.allocated % {"days": offer.confirmation_days}
            elif row["outcome"] == S.waitlisted.value:
                text = self.waitlisted % {"position": row["waitlist_position"]}
            else:
                reason = str(row["reason"])
                text = self.ineligible % {"reason": self.reasons.get(reason, reason)}
            lines.append(f"- {offer.exhibition.name} ({self.kinds[app.kind]}): {text}")
        lines += ["", self.outro, results_url()]
        return self.subject, "\n".join(lines)


# --- after publication -----------------------------------------------------------------------


def _taken_column(kind: str) -> tuple[Column[int], Column[int]]:
    o = Offer.__table__
    if kind == "booth":
        return o.c.booth_taken, o.c.booth_capacity
    return o.c.delegation_taken, o.c.delegation_capacity


def _take_place(offer_id: int, kind: str) -> bool:
    """One more place held in the slot, if one is free: the database decides."""
    column, capacity = _taken_column(kind)
    o = Offer.__table__
    result = db.session.execute(update(o).where(o.c.id == offer_id, column < capacity)
                                .values({column: column + 1}))
    db.session.expire_all()
    return result.rowcount == 1


def _release_place(offer_id: int, kind: str) -> None:
    column, _capacity = _taken_column(kind)
    o = Offer.__table__
    db.session.execute(update(o).where(o.c.id == offer_id, column > 0).values({column: column - 1}))


def held_places(company_id: int, programme_id: int, *, lock: bool = False) -> int:
    """Places a company holds in a programme's ranked offers (allocated or confirmed); the cap
    counts only these, first-come places stand outside it (allocation rule 8)."""
    query = (select(Application.id, Application.status)
             .join(Offer, Offer.id == Application.offer_id)
             .where(Application.company_id == company_id, Application.programme_id == programme_id,
                    Offer.mode == OfferMode.ranked))
    if lock:
        # Serialises cap decisions for one company (PostgreSQL; SQLite serialises writers).
        query = query.with_for_update(of=Application)
    return sum(1 for row in db.session.execute(query) if str(row.status) in HELD)


def results_url() -> str:
    """The company's results page, for mails."""
    # Built from SITE_URL rather than url_for: mails are also written by the CLI and the timer.
    return f"{current_app.config.get('SITE_URL', '').rstrip('/')}/my/allocation"


def _notify_company(company_id: int, subject: str, body: str) -> None:
    for email, _locale in _company_recipients([company_id]).get(company_id, []):
        notifications.enqueue(email, subject, body)


def _allocate(application: Application, *, actor: User | None, now: dt.datetime, reason: str,
              is_override: bool = False) -> None:
    change_status(application, S.allocated, actor=actor, reason=reason, is_override=is_override,
                  now=now)
    application.confirm_by = now + dt.timedelta(days=application.offer.confirmation_days)
    db.session.flush()
    offer = application.offer
    kind = _("booth") if application.kind == PlaceKind.booth else _("delegation")
    _notify_company(
        application.company_id,
        _("A place is yours: %(exhibition)s", exhibition=offer.exhibition.name),
        _("Your application for a %(kind)s place at %(exhibition)s has been allocated a place. "
          "Please confirm or decline it on the site by %(deadline)s.",
          kind=kind, exhibition=offer.exhibition.name,
          deadline=application.confirm_by.strftime("%Y-%m-%d %H:%M UTC")) + "\n\n" + results_url())


class NotYours(AllocationError):
    pass


def _check_company(application: Application, actor: User) -> None:
    if actor.company_id != application.company_id:
        raise NotYours(_("Only the company that applied can answer for this place."))


def confirm(application: Application, actor: User, now: dt.datetime | None = None) -> Application:
    """The company takes its allocated place, within its confirmation window."""
    now = now or utcnow()
    _check_company(application, actor)
    if application.status != S.allocated:
        raise NotAllocated(_("Only an allocated place can be confirmed."))
    if application.confirm_by is not None and now > application.confirm_by:
        raise ConfirmationClosed(_("The deadline to confirm this place has passed."))
    change_status(application, S.confirmed, actor=actor, reason=audit.CONFIRMED, now=now)
    return application


def decline(application: Application, actor: User, now: dt.datetime | None = None) -> list[Application]:
    """The company gives up an allocated place; it goes to the waitlist (rule 6). The company's
    other applications stay as they are. Returns the applications promoted."""
    now = now or utcnow()
    _check_company(application, actor)
    if application.status != S.allocated:
        raise NotAllocated(_("Only an allocated place can be declined."))
    if application.confirm_by is not None and now > application.confirm_by:
        raise ConfirmationClosed(_("The deadline to answer for this place has passed."))
    change_status(application, S.declined, actor=actor, reason=audit.DECLINED, now=now)
    _release_place(application.offer_id, str(application.kind))
    return fill_freed_place(application.offer, str(application.kind), now=now, actor=actor)


def withdraw(application: Application, actor: User, now: dt.datetime | None = None) -> list[Application]:
    """After publication, the company leaves a waitlist or gives up a place it holds
    (allocated or confirmed). A freed place goes to the waitlist (allocation rule 6); the
    company's other applications stay as they are. Returns the applications promoted."""
    now = now or utcnow()
    _check_company(application, actor)
    current = ApplicationStatus(application.status)
    if current not in (S.waitlisted, S.allocated, S.confirmed) \
            or get_published_run(application.offer.programme) is None:
        raise NotAllocated(_("Only a waitlisted or held place of a published allocation can be "
                             "withdrawn here."))
    change_status(application, S.withdrawn, actor=actor, reason=audit.WITHDRAWN, now=now)
    application.confirm_by = None
    db.session.flush()
    if current == S.waitlisted:
        return []
    _release_place(application.offer_id, str(application.kind))
    return fill_freed_place(application.offer, str(application.kind), now=now, actor=actor)


def expire_overdue(now: dt.datetime | None = None, *, actor: User | None = None) -> tuple[int, int]:
    """Allocated places whose confirmation window has passed become expired and go to the
    waitlist (rule 6). Returns (expired, promoted)."""
    now = now or utcnow()
    overdue = list(db.session.scalars(
        select(Application).where(Application.status == S.allocated, Application.confirm_by < now)
        .order_by(Application.confirm_by, Application.id)))
    freed: set[tuple[int, str]] = set()
    for application in overdue:
        change_status(application, S.expired, actor=actor,
                      reason=audit.EXPIRED, now=now)
        _release_place(application.offer_id, str(application.kind))
        freed.add((application.offer_id, str(application.kind)))
    promoted = 0
    for offer_id, kind in sorted(freed):
        promoted += len(fill_freed_place(db.session.get(Offer, offer_id), kind, now=now, actor=actor))
    return len(overdue), promoted


def fill_all_freed_places(now: dt.datetime | None = None, *,
                          actor: User | None = None) -> int:
    """Promote from the waitlists into every free place of a published programme (e.g. places
    freed by withdrawals). Returns the number of promotions."""
    now = now or utcnow()
    published = select(AllocationRun.published_programme_id).where(
        AllocationRun.published_programme_id.is_not(None))
    promoted = 0
    for offer in db.session.scalars(
            select(Offer).where(Offer.programme_id.in_(published), Offer.mode == OfferMode.ranked)
            .order_by(Offer.id)):
        for kind in KINDS:
            promoted += len(fill_freed_place(offer, kind, now=now, actor=actor))
    return promoted


def waitlist(offer: Offer, kind: str) -> list[tuple[Application, AllocationResult]]:
    """The slot type's waitlisted applications in the published run's order (priority, then
    lottery number; the same order as the run's waitlist positions)."""
    run = get_published_run(offer.programme)
    if run is None:
        return []
    return [(a, r) for a, r in db.session.execute(
        select(Application, AllocationResult)
        .join(AllocationResult, AllocationResult.application_id == Application.id)
        .where(AllocationResult.run_id == run.id, Application.offer_id == offer.id,
               Application.kind == kind, Application.status == S.waitlisted)
        .order_by(AllocationResult.priority.desc(), AllocationResult.tiebreak.desc(),
                  Application.id)
        # Locked and re-read, so two places freed at once never promote the same application.
        .with_for_update(of=Application).execution_options(populate_existing=True))]


def fill_freed_place(offer: Offer, kind: str, *, now: dt.datetime | None = None,
                     actor: User | None = None) -> list[Application]:
    """Give the slot type's free places to the first waitlisted applications whose company is
    still under its cap (allocation rule 6); skipped companies keep their positions. Each
    promoted company is mailed and its confirmation window starts now. Returns the promoted."""
    now = now or utcnow()
    cap = offer.programme.cap_per_company
    promoted: list[Application] = []
    for application, _result in waitlist(offer, kind):
        if held_places(application.company_id, offer.programme_id, lock=True) >= cap:
            continue
        if not _take_place(offer.id, kind):
            break
        _allocate(application, actor=actor, now=now, reason=audit.PROMOTED)
        promoted.append(application)
    return promoted


def override(application: Application, to_status: ApplicationStatus | str, *, actor: User,
             reason: str, now: dt.datetime | None = None) -> Application:
    """A coordinator's change of a result (allocation rule 7): allocated or waitlisted, with a
    written reason, never beyond a capacity or the company's cap; recorded as an override."""
    now = now or utcnow()
    to = ApplicationStatus(to_status)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("An override needs a written reason."))
    if to not in (S.allocated, S.waitlisted):
        raise AllocationError(_("An override can only allocate a place or put it on the waitlist."))
    current = ApplicationStatus(application.status)
    if to == current:
        raise AllocationError(_("The application is already %(status)s.", status=_(current.value)))
    if to not in ALLOWED_TRANSITIONS[current]:
        raise AllocationError(_("An application that is %(status)s cannot be overridden to %(to)s.",
                                status=_(current.value), to=_(to.value)))
    if application.offer.mode != OfferMode.ranked:
        raise AllocationError(_("First-come offers are not allocated by runs."))
    if get_published_run(application.offer.programme) is None:
        raise AllocationError(_("Overrides become possible once the allocation is published."))
    if to == S.allocated:
        if held_places(application.company_id, application.programme_id, lock=True) \
                >= application.offer.programme.cap_per_company:
            raise CapReached(_("The company already holds its cap of places in this programme."))
        if not _take_place(application.offer_id, str(application.kind)):
            raise CapacityFull(_("All places of this kind are taken."))
        _allocate(application, actor=actor, now=now, reason=reason, is_override=True)
    else:
        change_status(application, S.waitlisted, actor=actor, reason=reason, is_override=True, now=now)
        if current in (S.allocated, S.confirmed):
            _release_place(application.offer_id, str(application.kind))
        application.confirm_by = None
        db.session.flush()
    return application


# --- reading results ---------------------------------------------------------------------


@dataclass(frozen=True)
class SlotSummary:
    offer_id: int
    exhibition: str
    exhibition_ko: str | None
    exhibition_slug: str
    kind: str
    capacity: int
    applications: int     # eligible applications matched over
    allocated: int
    waitlisted: int
    ineligible: int
    withdrawn: int
    cutoff: float | None  # lowest priority that got a place

    @property
    def fill_rate(self) -> float | None:
        return self.allocated / self.capacity if self.capacity else None

    @property
    def oversubscription(self) -> float | None:
        return self.applications / self.capacity if self.capacity else None


def summarise_run(run: AllocationRun) -> list[SlotSummary]:
    """Per slot type: capacity, applications, outcomes and the cut-off score."""
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    cutoffs: dict[tuple[int, str], float] = {}
    for offer_id, kind, outcome, n, lowest in db.session.execute(
            select(Application.offer_id, Application.kind, AllocationResult.outcome,
                   func.count(), func.min(AllocationResult.priority))
            .join(Application, Application.id == AllocationResult.application_id)
            .where(AllocationResult.run_id == run.id)
            .group_by(Application.offer_id, Application.kind, AllocationResult.outcome)):
        key = (offer_id, str(kind))
        counts[key][outcome] = n
        if outcome == S.allocated.value:
            cutoffs[key] = lowest
    names = {offer_id: (name, name_ko) for offer_id, name, name_ko in db.session.execute(
        select(Offer.id, Exhibition.name, Exhibition.name_ko).join(Exhibition, Exhibition.id == Offer.exhibition_id)
        .where(Offer.programme_id == run.programme_id))}
    out = []
    for slot in (run.inputs or {}).get("slots", []):
        key = (slot["offer_id"], slot["kind"])
        c = counts.get(key, {})
        out.append(SlotSummary(
            offer_id=slot["offer_id"], exhibition=names.get(slot["offer_id"], (slot["exhibition"],))[0],
            exhibition_ko=names.get(slot["offer_id"], (None, None))[1],
            exhibition_slug=slot["exhibition"], kind=slot["kind"], capacity=slot["capacity"],
            applications=c.get("allocated", 0) + c.get("waitlisted", 0),
            allocated=c.get("allocated", 0), waitlisted=c.get("waitlisted", 0),
            ineligible=c.get("ineligible", 0), withdrawn=c.get("withdrawn", 0),
            cutoff=cutoffs.get(key)))
    return out


def cutoffs_for(run: AllocationRun) -> dict[tuple[int, str], float]:
    return {(s.offer_id, s.kind): s.cutoff for s in summarise_run(run) if s.cutoff is not None}


def list_run_results(run: AllocationRun, *, offer_id: int | None = None,
                     limit: int = 500) -> list[tuple[AllocationResult, Application]]:
    query = (select(AllocationResult, Application)
             .join(Application, Application.id == AllocationResult.application_id)
             .where(AllocationResult.run_id == run.id))
    if offer_id is not None:
        query = query.where(Application.offer_id == offer_id)
    query = query.order_by(Application.offer_id, Application.kind, AllocationResult.priority.desc(),
                           AllocationResult.tiebreak.desc()).limit(limit)
    return [(r, a) for r, a in db.session.execute(query)]


@dataclass(frozen=True)
class CompanyResult:
    application: Application
    result: AllocationResult
    run: AllocationRun
    cutoff: float | None
    position: int | None        # live position among those still waitlisted
    at_cap: bool                # waitlisted but holding the programme's cap already
    breakdown: tuple[tuple[str, float], ...]


def list_company_results(company: Company) -> list[CompanyResult]:
    """The company's results in every published run, best-ranked first."""
    rows = db.session.execute(
        select(Application, AllocationResult, AllocationRun)
        .join(AllocationResult, AllocationResult.application_id == Application.id)
        .join(AllocationRun, AllocationRun.id == AllocationResult.run_id)
        .where(Application.company_id == company.id,
               AllocationRun.published_programme_id.is_not(None))
        .order_by(Application.programme_id, Application.preference)).all()
    cutoff_cache: dict[int, dict[tuple[int, str], float]] = {}
    held_cache: dict[int, int] = {}
    out = []
    for application, result, run in rows:
        if run.id not in cutoff_cache:
            cutoff_cache[run.id] = cutoffs_for(run)
        position = None
        at_cap = False
        if application.status == S.waitlisted and result.priority is not None:
            ahead = db.session.scalar(
                select(func.count()).select_from(Application)
                .join(AllocationResult, AllocationResult.application_id == Application.id)
                .where(AllocationResult.run_id == run.id, Application.offer_id == application.offer_id,
                       Application.kind == application.kind, Application.status == S.waitlisted,
                       (AllocationResult.priority > result.priority)
                       | ((AllocationResult.priority == result.priority)
                          & (AllocationResult.tiebreak > result.tiebreak))))
            position = (ahead or 0) + 1
            if application.programme_id not in held_cache:
                held_cache[application.programme_id] = held_places(company.id, application.programme_id)
            at_cap = held_cache[application.programme_id] >= run_cap(run)
        breakdown = tuple((code, float((result.breakdown or {}).get(code, 0.0)))
                          for code in scoring.CRITERIA_CODES)
        out.append(CompanyResult(application, result, run,
                                 cutoff_cache[run.id].get((application.offer_id, str(application.kind))),
                                 position, at_cap, breakdown))
    return out


def run_cap(run: AllocationRun) -> int:
    return int((run.inputs or {}).get("cap_per_company") or 1)


def get_company_application(company: Company, application_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.id == application_id, Application.company_id == company.id))


def list_offer_events(offer: Offer) -> list[ApplicationEvent]:
    """The offer's audit log: every status change of its applications, newest first."""
    return list(db.session.scalars(
        select(ApplicationEvent).join(Application, Application.id == ApplicationEvent.application_id)
        .where(Application.offer_id == offer.id)
        .order_by(ApplicationEvent.at.desc(), ApplicationEvent.id.desc())))


def list_offer_applications(offer: Offer) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.offer_id == offer.id)
        .order_by(Application.kind, Application.id)))


# --- budget ------------------------------------------------------------------------------------


@dataclass
class BudgetLine:
    committed_krw: int = 0    # allocated + confirmed places
    confirmed_krw: int = 0
    places: int = 0


@dataclass
class Budget:
    by_size_class: dict[str, BudgetLine] = field(default_factory=dict)
    budget_krw: int | None = None

    @property
    def committed_krw(self) -> int:
        return sum(line.committed_krw for line in self.by_size_class.values())

    @property
    def confirmed_krw(self) -> int:
        return sum(line.confirmed_krw for line in self.by_size_class.values())

    @property
    def available_krw(self) -> int | None:
        return None if self.budget_krw is None else self.budget_krw - self.committed_krw


def _budget(programme: Programme, offer_ids: Sequence[int] | None) -> Budget:
    query = (select(Offer.booth_cost_krw, Offer.delegation_cost_krw, Application.kind,
                    Company.size_class, Application.status, func.count())
             .join(Offer, Offer.id == Application.offer_id)
             .join(Company, Company.id == Application.company_id)
             .where(Application.programme_id == programme.id, Application.status.in_(HELD))
             .group_by(Offer.id, Offer.booth_cost_krw, Offer.delegation_cost_krw, Application.kind,
                       Company.size_class, Application.status))
    if offer_ids is not None:
        query = query.where(Application.offer_id.in_(offer_ids))
    budget = Budget(budget_krw=programme.budget_krw if offer_ids is None else None)
    for size in ("small", "medium", "middle-market", "large"):
        budget.by_size_class[size] = BudgetLine()
    for booth_cost, delegation_cost, kind, size_class, status, n in db.session.execute(query):
        cost = int((booth_cost if str(kind) == "booth" else delegation_cost) or 0)
        # The agency pays what the company does not, as the programme page quotes it (rounded
        # half up, nothing for a size class the programme does not subsidise), so the budget
        # adds up to the shares companies were promised.
        subsidy = (cost - company_share_krw(cost, programme, str(size_class))) * n
        line = budget.by_size_class.setdefault(str(size_class), BudgetLine())
        line.committed_krw += subsidy
        line.places += n
        if str(status) == S.confirmed.value:
            line.confirmed_krw += subsidy
    return budget


def programme_budget(programme: Programme) -> Budget:
    """Subsidy committed (allocated + confirmed), confirmed and still available, by size class:
    each place costs its offer's price times the size class's subsidy share."""
    return _budget(programme, None)


def offer_budget(offer: Offer) -> Budget:
    return _budget(offer.programme, [offer.id])


def list_programmes_with_runs() -> list[tuple[Programme, list[AllocationRun]]]:
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.year.desc(), Programme.name)))
    runs: dict[int, list[AllocationRun]] = defaultdict(list)
    for run in db.session.scalars(select(AllocationRun).order_by(AllocationRun.id.desc())):
        runs[run.programme_id].append(run)
    return [(p, runs.get(p.id, [])) for p in programmes]


def get_programme_by_slug(slug: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.slug == slug))


def has_ranked_offers(programme: Programme) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Offer.programme_id == programme.id, Offer.mode == OfferMode.ranked))))
