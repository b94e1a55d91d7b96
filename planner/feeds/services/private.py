"""Private calendars behind a token: a company's shows, places and deadlines, and a programme's
windows, milestones and confirmation deadlines for its coordinators; in the owner's language,
within a window (60 days back to two years ahead) and under 1 MB, validated without building."""
from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import joinedload

from planner.accounts.models import Company
from planner.cache import Cache
from planner.catalogue.models import Offer, Programme
from planner.extensions import db
from planner.feeds.ical import CalendarInfo, FeedEvent, bounded_calendar
from planner.feeds.services.events import (
    deadline,
    event_order,
    host_of,
    if_cancelled,
    offer_milestones,
    show_event,
    show_name,
    words,
)
from planner.feeds.services.programme import programme_calendar, programme_feed_body
from planner.feeds.services.tokens import LiveToken
from planner.feeds.services.versions import FEED_FORMAT, CachedFeed, FeedVersion, aware, data_version, etag_of, latest
from planner.feeds.services.window import (
    CUT_NOTE,
    PRIVATE_MAX_BYTES,
    PRIVATE_WINDOW_AFTER,
    PRIVATE_WINDOW_BEFORE,
    WINDOW_NOTE,
    changes_per_offer,
    in_window,
    window,
)
from planner.i18n import N_
from planner.outcomes.models import ReportStatus, ResultsReport
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus
from planner.signups.services import HELD_STATUSES

__all__ = ["PRIVATE_WINDOW_BEFORE", "PRIVATE_WINDOW_AFTER", "PRIVATE_MAX_BYTES", "company_calendar", "recent_version",
           "remember_version",
           "programme_calendar", "private_version", "private_feed", "forget_private_versions"]

HELD = tuple(sorted(HELD_STATUSES))  # the one definition: planner.signups.services.places
PENDING = (ApplicationStatus.submitted, ApplicationStatus.waitlisted)

# Validators this worker computed last, per token, trusted for FEEDS_VERSION_MAX_AGE seconds
# and only to answer 304: a 200 always looks the token up again, so a revoked address never
# gets data, and a client holding a current ETag already has what a 304 confirms.
_recent: Cache[tuple[float, FeedVersion]] = Cache(size=4096)


def forget_private_versions() -> None:
    _recent.clear()


def _place(kind: str, status: str, lang: str) -> str:
    phrases = {("booth", "allocated"): N_("booth place allocated"), ("booth", "confirmed"): N_("booth place confirmed"),
               ("delegation", "allocated"): N_("delegation place allocated"),
               ("delegation", "confirmed"): N_("delegation place confirmed")}
    phrase = phrases.get((kind, status))
    return words(lang, phrase) if phrase else f"{kind} place {status}"


def _kind(kind: str, lang: str) -> str:
    return words(lang, {"booth": N_("booth"), "delegation": N_("delegation")}.get(kind, kind))


def company_calendar(company: Company, *, site_url: str, lang: str = "en",
                     today: dt.date | None = None) -> CalendarInfo:
    """A company's shows (places held), application and confirmation deadlines and milestones,
    in `lang`, within the window around `today` (everything when None)."""
    applications = db.session.scalars(
        select(Application).where(Application.company_id == company.id,
                                  Application.status.in_(HELD + PENDING))
        .options(joinedload(Application.offer).joinedload(Offer.exhibition))
        .order_by(Application.offer_id, Application.kind)).all()
    host = host_of(site_url)
    prefix = f"c{company.id}"
    name = {"company": company.legal_name}
    events: list[FeedEvent] = []
    by_offer: dict[int, list[Application]] = {}
    for application in applications:
        by_offer.setdefault(application.offer_id, []).append(application)
    # Withdrawn or declined applications leave the feed: their changes count as changes too.
    history = changes_per_offer(Application.company_id == company.id)
    for group in by_offer.values():
        offer = group[0].offer
        exhibition = offer.exhibition
        changes, applications_changed = history.get(offer.id, (0, None))
        # The company's name is in the descriptions.
        stamp = latest(offer.updated_at, exhibition.updated_at, applications_changed, company.updated_at)
        show = {**name, "show": show_name(exhibition, lang)}
        held = [a for a in group if a.status in HELD]
        pending = [a for a in group if a.status in PENDING]
        sequence = exhibition.sequence + offer.sequence + changes
        deadlines: list[FeedEvent] = []
        if held:
            base = show_event(exhibition, [str(s) for s in exhibition.sectors], site_url=site_url, lang=lang)
            places = ", ".join(_place(str(a.kind), str(a.status), lang) for a in held)
            events.append(FeedEvent(
                uid=f"{prefix}-exhibition-{exhibition.id}@{host}", summary=f"{base.summary}: {places}",
                start=base.start, end=base.end, stamp=stamp, sequence=sequence, location=base.location,
                categories=base.categories, description=f"{company.legal_name}: {places}.\n{base.description}",
                url=base.url, status=base.status))
            events.extend(offer_milestones(offer, prefix=prefix, site_url=site_url, stamp=stamp,
                                           include_window=False, lang=lang))
            for a in held:
                if a.status == ApplicationStatus.allocated and a.confirm_by is not None:
                    kind = {**show, "kind": _kind(str(a.kind), lang)}
                    deadlines.append(deadline(
                        f"{prefix}-application-{a.id}-confirm@{host}",
                        words(lang, N_("Confirm your %(kind)s place: %(show)s")) % kind, a.confirm_by,
                        offer.timezone, stamp, sequence,
                        words(lang, N_("Confirm or decline the %(kind)s place allocated to %(company)s at "
                                       "%(show)s, or it expires.")) % kind, base.url or "", lang=lang))
        if pending and not held:
            kinds = {**show, "kinds": " / ".join(_kind(str(a.kind), lang) for a in pending)}
            url = show_event(exhibition, (), site_url=site_url, lang=lang).url or ""
            deadlines.append(deadline(
                f"{prefix}-offer-{offer.id}-closes@{host}", words(lang, N_("Applications close: %(show)s")) % show,
                offer.closes_at, offer.timezone, stamp, sequence,
                words(lang, N_("%(company)s applied for %(kinds)s places at %(show)s; applications close."))
                % kinds, url, lang=lang))
        events.extend(if_cancelled(deadlines, exhibition, lang=lang))
    for event, _changed in _report_deadlines(company, prefix=prefix, host=host, site_url=site_url, lang=lang):
        events.append(event)
    if today is not None:
        start, end = window(today)
        events = [e for e in events if in_window(e.start, start, end)]
    events.sort(key=event_order)
    description = words(lang, N_("Shows where %(company)s holds places, its application and confirmation "
                                 "deadlines and milestones, from the Defence Export Exhibition Planner.")) % name
    return CalendarInfo(name=words(lang, N_("%(company)s: exhibitions and deadlines")) % name,
                        description=description, events=events)


# --- validators and the feed ----------------------------------------------------------------------

def _report_deadlines(company: Company, *, prefix: str, host: str, site_url: str,
                      lang: str) -> list[tuple[FeedEvent, dt.datetime]]:
    """Results reports still in draft, due at the end of their due day in the offer's zone; a
    submitted report leaves the feed."""
    out = []
    for report in db.session.scalars(
            select(ResultsReport).where(ResultsReport.company_id == company.id,
                                        ResultsReport.status == ReportStatus.draft)
            .options(joinedload(ResultsReport.offer).joinedload(Offer.exhibition))
            .order_by(ResultsReport.id)):
        offer = report.offer
        due_at = dt.datetime.combine(report.due_on + dt.timedelta(days=1), dt.time(0),
                                     tzinfo=ZoneInfo(offer.timezone)).astimezone(dt.timezone.utc)
        show = {"company": company.legal_name, "show": show_name(offer.exhibition, lang)}
        out.append((deadline(
            f"{prefix}-report-{report.id}@{host}", words(lang, N_("Results report due: %(show)s")) % show,
            due_at, offer.timezone, report.updated_at, report.version,
            words(lang, N_("The results report of %(company)s on %(show)s is due.")) % show,
            f"{site_url.rstrip('/')}/my/outcomes/{offer.id}", lang=lang), report.updated_at))
    return out


def _company_state(company_id: int) -> tuple[object, ...]:
    offers = select(func.max(Offer.updated_at)).join(Application, Application.offer_id == Offer.id) \
        .where(Application.company_id == company_id).scalar_subquery()
    company = select(Company.updated_at).where(Company.id == company_id).scalar_subquery()
    row = db.session.execute(
        select(func.count(distinct(Application.id)), func.count(ApplicationEvent.id), func.max(Application.updated_at),
               offers, company)
        .select_from(Application).outerjoin(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(Application.company_id == company_id)).one()
    reports = db.session.execute(select(func.count(ResultsReport.id), func.max(ResultsReport.updated_at))
                                 .where(ResultsReport.company_id == company_id)).one()
    return (*tuple(row), *tuple(reports))


def _programme_state(programme_id: int) -> tuple[object, ...]:
    offers = select(func.count(Offer.id), func.max(Offer.updated_at)).where(Offer.programme_id == programme_id)
    programme = select(Programme.updated_at).where(Programme.id == programme_id).scalar_subquery()
    applications = db.session.execute(
        select(func.count(distinct(Application.id)), func.count(ApplicationEvent.id), func.max(Application.updated_at),
               programme)
        .select_from(Application).outerjoin(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(Application.programme_id == programme_id)).one()
    return (*db.session.execute(offers).one(), *applications)


def private_version(token: LiveToken, *, site_url: str, today: dt.date, max_age: float = 0.0) -> FeedVersion:
    """The ETag of the feed behind `token` without building it: its owner's scope and language,
    the window's day, the catalogue's data version, and one aggregate over the rows only this
    feed shows (applications, their audit trail, offers, the company or programme)."""
    version, changed_at = data_version(max_age=max_age)
    if token.company_id is not None:
        state = _company_state(token.company_id)
    else:
        state = _programme_state(token.programme_id or 0)
    stamps = [aware(v) for v in state if isinstance(v, (dt.datetime, str)) and not isinstance(v, bool)]
    etag = etag_of(FEED_FORMAT, site_url, "private", token.company_id, token.programme_id, token.lang, today,
                   version, *state)
    return FeedVersion(etag, latest(changed_at, *stamps))


def recent_version(token_hash: str, max_age: float) -> FeedVersion | None:
    """The validator this worker computed for the token less than `max_age` seconds ago."""
    entry = _recent.get(token_hash) if max_age > 0 else None
    if entry is None or time.monotonic() - entry[0] > max_age:
        return None
    return entry[1]


def remember_version(token_hash: str, version: FeedVersion) -> None:
    _recent.put(token_hash, (time.monotonic(), version))


def private_feed(token: LiveToken, version: FeedVersion, *, site_url: str, today: dt.date,
                 cache: Cache[CachedFeed]) -> CachedFeed | None:
    """The calendar behind a live token (its company's or its programme's), from the cache by
    ETag, built on a miss; None when the company or programme is gone."""
    key = version.etag.strip('"')
    cached = cache.get(key)
    if cached is not None:
        return cached
    if token.company_id is not None:
        company = db.session.get(Company, token.company_id)
        if company is None:
            return None
        calendar = company_calendar(company, site_url=site_url, lang=token.lang, today=today)
        lang = token.lang
        calendar = CalendarInfo(calendar.name, f"{calendar.description} {words(lang, WINDOW_NOTE)}", calendar.events)
        body = bounded_calendar(calendar, max_bytes=PRIVATE_MAX_BYTES,
                                note=lambda day: words(lang, CUT_NOTE) % {"date": day.isoformat()})
    else:
        programme = db.session.get(Programme, token.programme_id or 0)
        if programme is None:
            return None
        body = programme_feed_body(programme, site_url=site_url, lang=token.lang, today=today,
                                   max_bytes=PRIVATE_MAX_BYTES)
    feed = CachedFeed(body, version.etag, version.last_modified).compressed()
    cache.put(key, feed)
    return feed
