"""What a company answers on the application form, and the rules those answers must meet.

`Application.answers` (JSON) has this shape, written only by `ApplicationAnswers.as_json()`:

    {"exhibits": [{"name": str, "needs_licence": bool,
                   "licence_status": "not_needed" | "applied" | "granted" | "refused"}],
     "target_markets": ["FR", ...],            # ISO 3166-1 alpha-2 codes
     "needs": ["guarantee", "b2b", "licence_help"],   # any subset, in this order
     "b2b_buyers": str,                        # kinds of buyers wanted for B2B meetings ("" if none)
     "delegates": [{"name": str, "role": str}]}      # delegation applications only, else []

`export_control_attested` and `other_public_funding` are columns of their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.catalogue.models import Offer
from planner.i18n import _, ngettext_
from planner.signups.models import Application, PlaceKind
from planner.signups.services.errors import InvalidAnswers

LICENCE_STATUSES: tuple[str, ...] = ("not_needed", "applied", "granted", "refused")
NEEDS: tuple[str, ...] = ("guarantee", "b2b", "licence_help")


@dataclass(frozen=True)
class Exhibit:
    name: str
    needs_licence: bool
    licence_status: str = "not_needed"


@dataclass(frozen=True)
class Delegate:
    name: str
    role: str


@dataclass(frozen=True)
class ApplicationAnswers:
    """What a company answers on the application form (see the module docstring for JSON)."""

    exhibits: tuple[Exhibit, ...] = ()
    target_markets: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    b2b_buyers: str = ""
    delegates: tuple[Delegate, ...] = ()
    other_public_funding: bool = False
    export_control_attested: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "exhibits": [{"name": e.name, "needs_licence": e.needs_licence,
                          "licence_status": e.licence_status} for e in self.exhibits],
            "target_markets": list(self.target_markets),
            "needs": [n for n in NEEDS if n in self.needs],
            "b2b_buyers": self.b2b_buyers,
            "delegates": [{"name": d.name, "role": d.role} for d in self.delegates],
        }

    @classmethod
    def from_application(cls, application: Application) -> ApplicationAnswers:
        data = application.answers or {}
        return cls(
            exhibits=tuple(Exhibit(name=str(e.get("name", "")), needs_licence=bool(e.get("needs_licence")),
                                   licence_status=str(e.get("licence_status") or "not_needed"))
                           for e in data.get("exhibits") or []),
            target_markets=tuple(data.get("target_markets") or ()),
            needs=tuple(data.get("needs") or ()),
            b2b_buyers=str(data.get("b2b_buyers") or ""),
            delegates=tuple(Delegate(name=str(d.get("name", "")), role=str(d.get("role", "")))
                            for d in data.get("delegates") or []),
            other_public_funding=bool(application.other_public_funding),
            export_control_attested=bool(application.export_control_attested),
        )


def check_answers(offer: Offer, kind: PlaceKind, answers: ApplicationAnswers) -> None:
    """Raise InvalidAnswers for answers the programme cannot accept."""
    if not answers.export_control_attested:
        raise InvalidAnswers(_("You must give the export-control attestation to apply."))
    if answers.other_public_funding:
        raise InvalidAnswers(_("The programme cannot subsidise costs that other public funding "
                               "already covers. Apply only for costs no other public body pays."))
    for exhibit in answers.exhibits:
        if exhibit.licence_status not in LICENCE_STATUSES:
            raise InvalidAnswers(_("Choose the export-licence status of each exhibit."))
    if kind == PlaceKind.booth and not answers.exhibits:
        raise InvalidAnswers(_("Name at least one exhibit for your booth."))
    if kind == PlaceKind.delegation:
        low, high = offer.delegation_min_staff, offer.delegation_people_per_place
        if not low <= len(answers.delegates) <= high:
            if low == high:
                raise InvalidAnswers(ngettext_("Name %(num)s delegate.", "Name %(num)s delegates.", low))
            raise InvalidAnswers(_("Name between %(low)s and %(high)s delegates.", low=low, high=high))
        if any(not d.name.strip() or not d.role.strip() for d in answers.delegates):
            raise InvalidAnswers(_("Give each delegate's name and role."))
