"""Companies: business registration numbers, signing a company up with its first user, the
company profile and its members."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from planner.accounts.models import Company, User
from planner.accounts.services.documents import size_class_changed
from planner.accounts.services.errors import AccountError
from planner.accounts.services.passwords import check_password_policy, hash_password
from planner.accounts.services.users import (
    check_email_format,
    create_user,
    get_user_by_email,
    normalise_email,
    one_line,
)
from planner.extensions import db
from planner.i18n import _
from planner.vocab import Sector, SizeClass


@dataclass(frozen=True)
class CompanyDetails:
    """The editable part of a company profile (everything but the registration number)."""

    legal_name: str
    size_class: SizeClass
    sectors: Sequence[str] = ()
    products: str = ""
    employees: int | None = None
    export_record: str = ""
    has_defence_exports: bool = False
    # The name in Korean, and the name on the booth's fascia board (English, optionally Korean).
    legal_name_ko: str = ""
    fascia_name: str = ""
    fascia_name_ko: str = ""


# The longest a Korean name and a fascia name may be (a fascia board holds one short line).
MAX_NAME = 200
MAX_FASCIA = 60


# --- business registration numbers -------------------------------------------------------------

BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> int:
    """The check digit of a Korean business registration number (사업자등록번호).

    Multiply the first nine digits by 1,3,7,1,3,7,1,3,5, add the tens part of the ninth digit
    times five, and take what is missing to the next multiple of ten.
    """
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def normalise_registration_number(text: str) -> str:
    """Return the 10 digits of a business registration number typed as "123-45-67890" or
    "1234567890"; raise AccountError when it is malformed or its check digit is wrong."""
    digits = re.sub(r"[\s\-]", "", text or "")
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise AccountError(_("A business registration number has 10 digits, e.g. 123-45-67890."))
    if brn_check_digit(digits[:9]) != int(digits[9]):
        raise AccountError(_("This business registration number is not valid: its check digit does not match. Please check it for typing errors."))
    return digits


def format_registration_number(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


def get_company_by_registration_number(digits: str) -> Company | None:
    return db.session.scalar(db.select(Company).where(Company.registration_number == digits))


# --- companies -------------------------------------------------------------------------------

def _clean_details(details: CompanyDetails) -> dict[str, object]:
    sectors = [s for s in dict.fromkeys(details.sectors) if s in Sector._value2member_map_]
    values: dict[str, object] = dict(
        legal_name=one_line(details.legal_name), size_class=SizeClass(details.size_class),
        sectors=sectors, products=details.products.strip() or None, employees=details.employees,
        export_record=details.export_record.strip() or None,
        has_defence_exports=bool(details.has_defence_exports),
        legal_name_ko=one_line(details.legal_name_ko) or None, fascia_name=one_line(details.fascia_name) or None,
        fascia_name_ko=one_line(details.fascia_name_ko) or None)
    if not values["legal_name"]:
        raise AccountError(_("Enter the company's legal name."))
    if len(values["legal_name"]) > MAX_NAME or len(values["legal_name_ko"] or "") > MAX_NAME:  # type: ignore[arg-type]
        raise AccountError(_("A company name can be at most %(n)s characters long.", n=MAX_NAME))
    if len(values["fascia_name"] or "") > MAX_FASCIA or len(values["fascia_name_ko"] or "") > MAX_FASCIA:  # type: ignore[arg-type]
        raise AccountError(_("A fascia name can be at most %(n)s characters long.", n=MAX_FASCIA))
    return values


def register_company(registration_number: str, details: CompanyDetails, *, name: str, email: str,
                     password: str, now: dt.datetime | None = None, locale: str | None = None) -> User | None:
    """Create a company and its first (unverified) user together; returns the user, or None
    when the address already has an account (which is left untouched, and no company is made).

    The caller answers both outcomes alike and tells the owner of the address by mail
    (accounts.emails.answer_registration), so the page never says which addresses have
    accounts. Raises AccountError for an invalid or already registered registration number or a
    weak password, also when another sign-up took the number between these checks and the
    insert. Nothing is added to the session before every check has passed.
    """
    digits = normalise_registration_number(registration_number)
    if get_company_by_registration_number(digits) is not None:
        raise AccountError(_("A company with this business registration number is already registered. Ask a colleague there to invite you from the company page, or contact the agency."))
    values = _clean_details(details)
    email = normalise_email(email)
    check_email_format(email)
    check_password_policy(password, email=email)
    if get_user_by_email(email) is not None:
        # The same work as creating the account, so the answer's timing does not tell either.
        hash_password(password)
        return None
    try:
        # A savepoint: a lost race leaves the session usable for showing the form again.
        with db.session.begin_nested():
            company = Company(registration_number=digits, **values)
            db.session.add(company)
            db.session.flush()
            user = create_user(email, password, name=name, company_id=company.id, now=now,
                               locale=locale)
            # The first user of a company is its main contact until they hand the role over.
            user.is_main_contact = True
            db.session.flush()
            return user
    except IntegrityError as exc:
        if get_company_by_registration_number(digits) is None and get_user_by_email(email) is not None:
            return None  # the address got its account a moment ago: answered as above
        raise AccountError(_("This company or email address was registered a moment ago. Log in instead, or ask a colleague to invite you.")) from exc


def update_company(company: Company, details: CompanyDetails, *, actor: User) -> Company:
    """Update a company's profile; the registration number never changes after sign-up."""
    if actor.company_id != company.id:
        raise AccountError(_("You can only edit your own company."))
    previous_size = company.size_class
    for key, value in _clean_details(details).items():
        setattr(company, key, value)
    db.session.flush()
    if company.size_class != previous_size:
        size_class_changed(company, previous_size.value, actor=actor)
    return company


MAX_PAST_SHOWS = 100


@dataclass(frozen=True)
class PastShow:
    """One exhibition attended before: its series (a key of catalogue.series, checked by the
    caller against the catalogue), the year if known, and the series' names for display."""

    series: str
    year: int | None
    name: str
    name_ko: str = ""


def set_past_shows(company: Company, shows: Sequence[PastShow], *, unrecognised: Sequence[str],
                   actor: User) -> Company:
    """Replace the company's past shows. `unrecognised` are the old free-text lines the company
    keeps (it can only drop lines, never add free text)."""
    if actor.company_id != company.id:
        raise AccountError(_("You can only edit your own company."))
    if len(shows) > MAX_PAST_SHOWS:
        raise AccountError(_("At most %(n)s past shows can be listed.", n=MAX_PAST_SHOWS))
    stored: list[dict[str, object]] = []
    seen: set[tuple[str, int | None]] = set()
    for show in shows:
        if not show.series or (show.series, show.year) in seen:
            continue
        seen.add((show.series, show.year))
        stored.append({"series": show.series, "year": show.year, "name": one_line(show.name)[:200],
                       "name_ko": one_line(show.name_ko)[:200]})
    company.past_shows = sorted(stored, key=lambda s: (-(int(str(s["year"])) if s["year"] else 0), str(s["name"])))
    kept = set(unrecognised)
    company.prior_exhibitions = [line for line in company.prior_exhibitions or [] if line in kept]
    db.session.flush()
    return company


def list_members(company: Company) -> list[User]:
    """The company's people, active or removed, the earliest first."""
    return list(db.session.scalars(
        db.select(User).where(User.company_id == company.id).order_by(User.created_at, User.id)))
