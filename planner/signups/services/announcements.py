"""Announcements: a coordinator writes to the applicants of an offer or a programme, chosen by
status, in English and Korean; each company's users read it in their own language. Optional
mail (category "announcements"): readers who turned it off are skipped."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from planner.accounts.models import User
from planner.accounts.recipients import company_recipients
from planner.catalogue.models import Offer, Programme
from planner.db import utcnow
from planner.errors import Conflict, PlannerError
from planner.extensions import db
from planner.i18n import _
from planner.notifications.services import Notification, Recipient, notify_bulk, render
from planner.signups.models import Announcement, Application, ApplicationStatus

TEMPLATE = "signups/email/announcement.txt"
CATEGORY = "announcements"


class AnnouncementInvalid(PlannerError):
    pass


class AlreadySent(Conflict):
    """The previewed announcement was sent meanwhile (a double click, or a colleague)."""


DRAFT, SENT = "draft", "sent"


@dataclass(frozen=True)
class Draft:
    programme: Programme
    offer: Offer | None
    statuses: Sequence[str]
    subject_en: str
    body_en: str
    subject_ko: str = ""
    body_ko: str = ""


@dataclass(frozen=True)
class Preview:
    company_count: int
    recipients: list[Recipient]
    sample_subject: str
    sample_body: str


def _check(draft: Draft) -> None:
    if not draft.subject_en.strip() or not draft.body_en.strip():
        raise AnnouncementInvalid(_("Write at least the English subject and text."))
    if bool(draft.subject_ko.strip()) != bool(draft.body_ko.strip()):
        raise AnnouncementInvalid(_("Write both the Korean subject and text, or neither."))
    unknown = set(draft.statuses) - {s.value for s in ApplicationStatus}
    if not draft.statuses or unknown:
        raise AnnouncementInvalid(_("Choose the statuses of the applications to write to."))
    if draft.offer is not None and draft.offer.programme_id != draft.programme.id:
        raise AnnouncementInvalid(_("This offer is not part of the programme."))


def _company_ids(draft: Draft) -> list[int]:
    query = (select(Application.company_id).distinct()
             .where(Application.programme_id == draft.programme.id, Application.status.in_(draft.statuses)))
    if draft.offer is not None:
        query = query.where(Application.offer_id == draft.offer.id)
    return sorted(db.session.scalars(query))


def _context(draft: Draft) -> dict[str, object]:
    return {"programme": draft.programme, "offer": draft.offer, "subject_en": draft.subject_en.strip(),
            "body_en": draft.body_en.strip(), "subject_ko": draft.subject_ko.strip(),
            "body_ko": draft.body_ko.strip()}


def preview(draft: Draft) -> Preview:
    """How many companies (and their users) the announcement reaches, and one message as the
    first of them will read it."""
    _check(draft)
    by_company = company_recipients(_company_ids(draft))
    recipients = [r for rs in by_company.values() for r in rs]
    sample = recipients[0] if recipients else Recipient(email="example@example.com")
    subject, body = render(TEMPLATE, sample, _context(draft), category=CATEGORY)
    return Preview(company_count=len(by_company), recipients=recipients, sample_subject=subject,
                   sample_body=body)


def _contents(draft: Draft, actor: User | None) -> dict[str, object]:
    return dict(programme_id=draft.programme.id, offer_id=draft.offer.id if draft.offer else None,
                statuses=sorted(draft.statuses), subject_en=draft.subject_en.strip(), body_en=draft.body_en.strip(),
                subject_ko=draft.subject_ko.strip() or None, body_ko=draft.body_ko.strip() or None,
                sent_by_id=actor.id if actor else None, sent_at=utcnow())


def stage(draft: Draft, *, actor: User | None, draft_id: int | None = None) -> Announcement:
    """Keep the previewed announcement as a draft (the one `draft_id` names, while it is still
    a draft of this programme, or a new one): its id goes with the "Send" button."""
    _check(draft)
    kept = _draft_row(draft, draft_id)
    if kept is None:
        kept = Announcement(**_contents(draft, actor), state=DRAFT)
        db.session.add(kept)
    else:
        for name, value in _contents(draft, actor).items():
            setattr(kept, name, value)
    db.session.flush()
    return kept


def _draft_row(draft: Draft, draft_id: int | None) -> Announcement | None:
    if draft_id is None:
        return None
    return db.session.scalar(select(Announcement).where(
        Announcement.id == draft_id, Announcement.programme_id == draft.programme.id, Announcement.state == DRAFT))


def send(draft: Draft, *, actor: User | None, draft_id: int | None = None) -> Announcement:
    """Queue the announcement for every recipient and keep it as sent. Flushes; the caller commits.

    With `draft_id` (the previewed draft) sending is a compare-and-set from draft to sent:
    of two clicks only the first sends; the other raises AlreadySent (409) and its transaction,
    mail included, rolls back. On PostgreSQL the second UPDATE waits for the first to commit."""
    found = preview(draft)
    if not found.recipients:
        raise AnnouncementInvalid(_("No company has an application with these statuses."))
    contents = _contents(draft, actor)
    if draft_id is None:
        announcement = Announcement(**contents, state=SENT)
        db.session.add(announcement)
        db.session.flush()
    else:
        claimed = db.session.execute(
            update(Announcement).where(Announcement.id == draft_id, Announcement.programme_id == draft.programme.id,
                                       Announcement.state == DRAFT)
            .values(**contents, state=SENT).returning(Announcement.id)).scalar()
        if claimed is None:
            raise AlreadySent(_("This announcement has already been sent."))
        announcement = db.session.get_one(Announcement, claimed, populate_existing=True)
    # Replies go to the coordinator who wrote it, not to the planner's sending address.
    announcement.mail_count = notify_bulk([Notification(found.recipients, TEMPLATE, _context(draft),
                                                        category=CATEGORY, reply_to=actor.email if actor else None)])
    announcement.company_count = found.company_count
    db.session.flush()
    return announcement


def list_announcements(programme: Programme, offer: Offer | None = None) -> list[Announcement]:
    query = select(Announcement).where(Announcement.programme_id == programme.id, Announcement.state == SENT)
    if offer is not None:
        query = query.where((Announcement.offer_id == offer.id) | Announcement.offer_id.is_(None))
    return list(db.session.scalars(query.order_by(Announcement.sent_at.desc(), Announcement.id.desc())))
