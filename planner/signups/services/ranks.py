"""A company's ranks: the order of its ranked applications in a programme, and changing it
until the last ranked deadline."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy.exc import IntegrityError

from planner.accounts.models import User
from planner.catalogue.models import Offer, OfferMode
from planner.db import utcnow
from planner.extensions import db
from planner.i18n import _
from planner.signups.models import Application, ApplicationStatus
from planner.signups.services.errors import RankError, StaleOrder, WindowClosed

S = ApplicationStatus
# Statuses whose rank still matters to the allocation.
RANKABLE: frozenset[ApplicationStatus] = frozenset({S.submitted, S.waitlisted, S.allocated, S.confirmed})


def ranked_applications(company_id: int, programme_id: int) -> list[Application]:
    """The company's applications whose rank matters (ranked offers, still active), best first."""
    return list(db.session.scalars(
        db.select(Application).join(Offer, Offer.id == Application.offer_id)
        .where(Application.company_id == company_id, Application.programme_id == programme_id,
               Offer.mode == OfferMode.ranked, Application.status.in_(list(RANKABLE)))
        .order_by(Application.preference)))


def rank_of(application: Application) -> tuple[int, int] | None:
    """(position, count) of the application among its company's ranked applications in the
    programme, 1-based; None when it has no rank (first-come or no longer active)."""
    ids = [a.id for a in ranked_applications(application.company_id, application.programme_id)]
    return (ids.index(application.id) + 1, len(ids)) if application.id in ids else None


def next_rank(company_id: int, programme_id: int) -> int:
    """The position a new ranked application of the company would take in the programme."""
    return len(ranked_applications(company_id, programme_id)) + 1


def ranks_close_at(programme_id: int) -> dt.datetime | None:
    """Ranks may change until the last ranked window of the programme closes: the allocation
    cannot run before that (allocation rule 8)."""
    return db.session.scalar(db.select(db.func.max(Offer.closes_at)).where(
        Offer.programme_id == programme_id, Offer.mode == OfferMode.ranked))


def ranks_editable(programme_id: int, now: dt.datetime | None = None) -> bool:
    closes = ranks_close_at(programme_id)
    return closes is not None and (now or utcnow()) < closes


def _changed_meanwhile() -> RankError:
    return RankError(_("Your applications changed meanwhile. Please check the order and try again."))


def set_order(company_id: int, programme_id: int, ordered_ids: Sequence[int], *,
              actor: User | None, now: dt.datetime | None = None) -> list[Application]:
    """Give the company's ranked applications in the programme the order `ordered_ids` (best
    first), reusing the rank numbers they already hold so other applications keep theirs.

    Raises RankError when ids are not exactly those applications, WindowClosed after the last
    ranked deadline of the programme.
    """
    now = now or utcnow()
    if not ranks_editable(programme_id, now):
        raise WindowClosed(_("The deadline has passed: ranks can no longer be changed."))
    current = ranked_applications(company_id, programme_id)
    by_id = {a.id: a for a in current}
    if sorted(ordered_ids) != sorted(by_id) or len(set(ordered_ids)) != len(ordered_ids):
        raise _changed_meanwhile()
    numbers = sorted(a.preference for a in current)
    # Two steps under the unique (company, programme, preference) key: first to temporary
    # negative ranks no real rank uses, then to the final ones, inside the caller's transaction.
    try:
        for application in current:
            application.preference = -application.id
        db.session.flush()
        for number, application_id in zip(numbers, ordered_ids):
            by_id[application_id].preference = number
            by_id[application_id].updated_at = now
        db.session.flush()
    except IntegrityError:
        # Another tab of the same company reordered or applied at the same moment.
        raise _changed_meanwhile() from None
    return [by_id[i] for i in ordered_ids]


def move_application(application: Application, direction: str, *, actor: User | None,
                     expected_order: Sequence[int] | None = None,
                     now: dt.datetime | None = None) -> list[Application]:
    """Swap a ranked application with its neighbour above ("up") or below ("down").

    `expected_order` is the order (best first) the page showed when the button was pressed;
    when the ranks have changed since, nothing moves and StaleOrder is raised, so a double
    click or a button pressed on an old page never moves an application twice or blindly.
    """
    current = ranked_applications(application.company_id, application.programme_id)
    ids = [a.id for a in current]
    if application.id not in ids:
        raise RankError(_("Only active applications to ranked offers have a rank."))
    if expected_order is not None and list(expected_order) != ids:
        raise StaleOrder(_("Your ranks changed after this page was shown (a second click, an "
                           "older page or another tab), so nothing was moved. Here is the "
                           "current order: check it and move again if needed."))
    index = ids.index(application.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ids):
        return current
    ids[index], ids[other] = ids[other], ids[index]
    return set_order(application.company_id, application.programme_id, ids, actor=actor, now=now)


def set_ranks(company_id: int, programme_id: int, ranks: Mapping[int, int], *,
              actor: User | None, now: dt.datetime | None = None) -> list[Application]:
    """Order by the rank numbers typed per application (1 = most wanted); equal ranks are refused."""
    if len(set(ranks.values())) != len(ranks):
        raise RankError(_("Give each application a different rank."))
    ordered = [application_id for application_id, _rank in sorted(ranks.items(), key=lambda kv: kv[1])]
    return set_order(company_id, programme_id, ordered, actor=actor, now=now)
