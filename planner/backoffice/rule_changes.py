"""Changing a programme's rules (cap, eligible size classes, subsidy shares, points) once
companies have applied (allocation rule 9): only an administrator, with a reason; who is
affected and how is shown before saving; the change is kept with the rules before and after;
the companies concerned are told. Confirmed places keep the money recorded when they were
confirmed; the run already published keeps its own rules for promotion."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from planner.accounts.models import Role, User
from planner.accounts.recipients import company_recipients
from planner.allocation import services as allocation
from planner.backoffice import services
from planner.backoffice.models import ProgrammeRuleChange
from planner.catalogue import services as catalogue
from planner.catalogue.models import Programme
from planner.db import utcnow
from planner.errors import Forbidden, PlannerError
from planner.extensions import db
from planner.i18n import _
from planner.notifications.services import Notification, absolute_url, notify_bulk
from planner.signups import services as signups
from planner.signups.models import Application, ApplicationStatus
from planner.vocab import SizeClass

S = ApplicationStatus
MAX_REASON = 2000
# Applications whose price or chances a rule change can still move: a confirmed place keeps its
# recorded money, a finished application has nothing left to change.
OPEN_STATUSES = (S.submitted, S.waitlisted, S.allocated)


class RuleChangeError(PlannerError):
    """A rule change refused for bad input (no reason, a stale preview)."""


def rules_of(programme: Programme) -> dict[str, Any]:
    """The programme's rules as recorded in its history: cap, eligible size classes (in size
    order), subsidy shares and criteria points."""
    eligible = set(programme.eligible_size_classes or [])
    return {"cap_per_company": programme.cap_per_company,
            "eligible_size_classes": [s.value for s in SizeClass if s.value in eligible],
            "subsidy_shares": {s.value: float((programme.subsidy_shares or {}).get(s.value, 0))
                               for s in SizeClass},
            "criteria": json.loads(json.dumps(programme.criteria or {}, sort_keys=True))}


def _proposed(programme: Programme, data: catalogue.ProgrammeInput) -> Programme:
    """A detached programme carrying the posted rules (never added to the session); criteria
    keys the form does not know are kept, as saving keeps them."""
    return Programme(year=programme.year, cap_per_company=data.cap_per_company,
                     eligible_size_classes=list(data.eligible_size_classes),
                     subsidy_shares={k: float(v) for k, v in data.subsidy_shares.items()},
                     criteria={**(programme.criteria or {}), **dict(data.criteria)})


def needs_admin(programme: Programme) -> bool:
    """Whether changing the rules is an administrator's decision: once anyone applied."""
    return services.programme_has_applications(programme)


@dataclass(frozen=True)
class Change:
    """One figure of an application that the rule change moves: `what` is "subsidy_share"
    (percent), "company_share" (won), "cap" (places) or "priority" (points)."""

    what: str
    before: float
    after: float


@dataclass(frozen=True)
class Affected:
    application: Application
    changes: tuple[Change, ...]


@dataclass
class Preview:
    before: dict[str, Any]
    after: dict[str, Any]
    affected: list[Affected] = field(default_factory=list)
    confirmed_kept: int = 0       # confirmed places whose recorded price the new rules leave alone
    published: bool = False       # the run is published: its cap and points stay for promotion

    @property
    def company_ids(self) -> list[int]:
        return sorted({a.application.company_id for a in self.affected})

    @property
    def digest(self) -> str:
        """Names the proposed rules and whom they concern, so a confirmation is of exactly the
        previewed change."""
        concerned = [[a.application.id, [[c.what, c.before, c.after] for c in a.changes]] for a in self.affected]
        text = json.dumps([self.before, self.after, concerned, self.confirmed_kept], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def preview(programme: Programme, data: catalogue.ProgrammeInput) -> Preview:
    """Who a change of the rules to `data` concerns and how, without changing anything: each
    not yet confirmed application whose subsidy share or company share would change, and,
    before the allocation is published, each submitted one whose priority or company cap would."""
    proposed = _proposed(programme, data)
    result = Preview(before=rules_of(programme), after=rules_of(proposed),
                     published=allocation.get_published_run(programme) is not None)
    before, after = result.before, result.after
    priorities_before: Mapping[int, float] = {}
    priorities_after: Mapping[int, float] = {}
    if not result.published and before["criteria"] != after["criteria"]:
        priorities_before = allocation.priorities_under(programme, programme.criteria or {})
        priorities_after = allocation.priorities_under(programme, proposed.criteria)
    apps = db.session.scalars(
        select(Application).where(Application.programme_id == programme.id,
                                  Application.status.in_([*OPEN_STATUSES, S.confirmed]))
        .order_by(Application.company_id, Application.preference, Application.id))
    for application in apps:
        size = signups.size_class_of(application, application.company)  # as signups.quote prices it
        place_cost = signups.place_cost(application.offer, application.kind)
        old = catalogue.quote_place(place_cost, programme, size)
        new = catalogue.quote_place(place_cost, proposed, size)
        if application.status == S.confirmed:
            result.confirmed_kept += old != new
            continue
        changes = []
        if old.subsidy_share != new.subsidy_share:
            changes.append(Change("subsidy_share", round(old.subsidy_share * 100, 1),
                                  round(new.subsidy_share * 100, 1)))
        if old.company_share_krw != new.company_share_krw:
            changes.append(Change("company_share", old.company_share_krw, new.company_share_krw))
        if application.status == S.submitted and not result.published:
            if before["cap_per_company"] != after["cap_per_company"]:
                changes.append(Change("cap", before["cap_per_company"], after["cap_per_company"]))
            old_priority = priorities_before.get(application.id)
            new_priority = priorities_after.get(application.id)
            if old_priority is not None and new_priority is not None and old_priority != new_priority:
                changes.append(Change("priority", old_priority, new_priority))
        if changes:
            result.affected.append(Affected(application, tuple(changes)))
    return result


def check_may_change(programme: Programme, actor: User) -> None:
    """Raise Forbidden (403) when a coordinator tries to change the rules companies applied under."""
    if actor.role != Role.admin and needs_admin(programme):
        raise Forbidden(_("Companies have applied under this programme's rules, so only an "
                          "administrator may change them now: the cap per company, the eligible "
                          "size classes, the subsidy shares and the scoring points."))


def change_rules(programme: Programme, data: catalogue.ProgrammeInput, *, actor: User, reason: str,
                 digest: str | None = None, now: dt.datetime | None = None) -> Preview:
    """Save the programme (rules included) after companies applied: an administrator only
    (Forbidden), with a reason (RuleChangeError); `digest` is the preview's, and a rule change
    that is not the previewed one is refused. Records the rules before and after and mails each
    affected company, in its users' languages. Returns what was previewed."""
    check_may_change(programme, actor)
    reason = (reason or "").strip()
    if not reason:
        raise RuleChangeError(_("Give the reason for changing the rules: the companies concerned "
                                "are told it."))
    if len(reason) > MAX_REASON:
        raise RuleChangeError(_("The reason is too long (at most %(n)s characters).", n=MAX_REASON))
    # Two administrators confirming at once: the second waits for the first, then re-reads the
    # rules, so its preview (and digest) no longer match and it is refused, not applied twice.
    allocation.lock_programmes([programme.id])
    db.session.refresh(programme)
    seen = preview(programme, data)
    if digest is not None and digest != seen.digest:
        raise RuleChangeError(_("The rules or the applications changed since the preview. Check "
                                "the new preview and confirm again."))
    now = now or utcnow()
    catalogue.update_programme(programme, data, actor=actor, now=now)
    after = rules_of(programme)
    db.session.add(ProgrammeRuleChange(
        programme_id=programme.id, actor_id=actor.id, at=now, reason=reason, before=seen.before,
        after=after, companies=len(seen.company_ids), applications=len(seen.affected)))
    _tell(programme, seen.affected, reason=reason)
    db.session.flush()
    return seen


def _tell(programme: Programme, affected: Sequence[Affected], *, reason: str) -> int:
    by_company: dict[int, list[Affected]] = {}
    for item in affected:
        by_company.setdefault(item.application.company_id, []).append(item)
    recipients = company_recipients(by_company)
    return notify_bulk(
        Notification(recipients=recipients[company_id], template="backoffice/email/rules_changed.txt",
                     context=dict(programme=programme, items=items, reason=reason,
                                  link=absolute_url("signups.my_applications")))
        for company_id, items in by_company.items() if recipients.get(company_id))


def history(programme: Programme) -> list[ProgrammeRuleChange]:
    """The programme's rule changes, newest first."""
    return list(db.session.scalars(
        select(ProgrammeRuleChange).where(ProgrammeRuleChange.programme_id == programme.id)
        .order_by(ProgrammeRuleChange.at.desc(), ProgrammeRuleChange.id.desc())))


def rule_differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(rule, before, after) for each rule that differs, with shares and size-class points per
    size class ("subsidy_shares.small", "criteria.size_class.small")."""
    def flatten(rules: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
        flat: dict[str, Any] = {}
        for key, value in rules.items():
            if isinstance(value, Mapping):
                flat.update(flatten(value, f"{prefix}{key}."))
            else:
                flat[f"{prefix}{key}"] = value
        return flat
    old, new = flatten(before), flatten(after)
    return [(key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys())
            if old.get(key) != new.get(key)]
