"""Withdrawal before the deadline, and first-come promotion: a freed first-come place goes at
once to the first waitlisted application of that offer and kind."""
from __future__ import annotations

import datetime as dt

from planner.accounts.models import User
from planner.accounts.recipients import company_recipients
from planner.catalogue.models import Offer, OfferMode
from planner.db import utcnow
from planner.extensions import db
from planner.notifications.services import absolute_url, notify
from planner.signups import reasons
from planner.signups.models import Application, ApplicationEvent, ApplicationStatus, PlaceKind
from planner.signups.services.places import HELD_STATUSES, free_place, take_place
from planner.signups.services.status import change_status
from planner.signups.services.submission import ensure_editable, is_withdrawable

S = ApplicationStatus


def withdraw_application(application: Application, *, actor: User | None, reason: str | None = None,
                         now: dt.datetime | None = None) -> Application | None:
    """Withdraw an application before its deadline, or a first-come one at any time; returns
    the application promoted in its place, if any.

    A held place is freed with a conditional decrement. On a first-come offer the freed place
    goes, in the same transaction, to the first waitlisted application of that offer and kind
    (by submission time), which is confirmed and its company told by email; the system promotes,
    caused by this withdrawal.
    Raises NotEditable after the deadline of a ranked application or for a closed one,
    StatusChanged when it changed meanwhile (a second click: the place is freed once).
    """
    now = now or utcnow()
    if not is_withdrawable(application, now):
        ensure_editable(application, now)  # raises, saying why
    held = ApplicationStatus(application.status) in HELD_STATUSES
    event = change_status(application, S.withdrawn, actor=actor, now=now,
                          reason=reason or reasons.WITHDRAWN_BEFORE_DEADLINE)
    kind = PlaceKind(application.kind)
    promoted = None
    if held:
        free_place(application.offer_id, kind)
        if application.offer.mode == OfferMode.first_come:
            promoted = promote_first_come(application.offer, kind, actor=None, now=now, cause=event)
    db.session.flush()
    return promoted


def promote_first_come(offer: Offer, kind: PlaceKind, *, actor: User | None,
                       now: dt.datetime, cause: ApplicationEvent | None = None) -> Application | None:
    """Give a freed first-come place to the first waitlisted application of the offer and kind
    (by submission time), confirmed at once, its company told. `cause`: the change that freed
    the place, named in the audit trail when the system promotes (actor None). Returns it, if
    any."""
    # SKIP LOCKED: two withdrawals at once promote two different waitlisted applications.
    candidate = db.session.scalar(
        db.select(Application)
        .where(Application.offer_id == offer.id, Application.kind == kind,
               Application.status == S.waitlisted)
        .order_by(Application.created_at, Application.id).limit(1)
        .with_for_update(skip_locked=True, of=Application))
    if candidate is None or not take_place(offer.id, kind):
        return None
    change_status(candidate, S.allocated, actor=actor, now=now, reason=reasons.PROMOTED_FIRST_COME,
                  cause=cause)
    change_status(candidate, S.confirmed, actor=actor, now=now, reason=reasons.PROMOTED_CONFIRMED,
                  cause=cause)
    notify(company_recipients([candidate.company_id]).get(candidate.company_id, []),
           "signups/email/promoted.txt", application=candidate, offer=offer,
           link=absolute_url("signups.application", application_id=candidate.id))
    return candidate


def tell_ineligible(application: Application) -> None:
    """Mail the company that its application was marked ineligible, with the reason (a
    coordinator's as written, the rules' in the reader's language)."""
    notify(company_recipients([application.company_id]).get(application.company_id, []),
           "signups/email/ineligible.txt", application=application, offer=application.offer,
           reason=application.ineligible_reason,
           link=absolute_url("signups.application", application_id=application.id))
