"""Synthetic companies, users, the closed `synthetic` programme and its applications, at scale.

Everything derives from one seed (random.Random), so the same seed gives the same rows;
rows go in with bulk INSERTs so tens of thousands load in seconds.
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, insert, select

from planner.accounts.models import Company, Role, User
from planner.catalogue import services as catalogue
from planner.catalogue.models import Exhibition, ExhibitionStatus, Offer, OfferMode, Programme, default_criteria
from planner.catalogue.series import series_key, series_label
from planner.extensions import db
from planner.signups.models import Application, ApplicationStatus, PlaceKind
from planner.vocab import Sector, SizeClass

PROGRAMME_SLUG = "synthetic"
PASSWORD = "synthetic-password"
UTC = dt.timezone.utc
# A fixed moment instead of "now", so rows do not depend on the day they are made.
BASE = dt.datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
LATEST_CLOSE = dt.datetime(2026, 9, 30, 9, 0, tzinfo=UTC)
BATCH = 2000
T = TypeVar("T")

SIZE_WEIGHTS = ((SizeClass.small, 55), (SizeClass.medium, 30), (SizeClass.middle_market, 11),
                (SizeClass.large, 4))
EMPLOYEES = {SizeClass.small: (5, 49), SizeClass.medium: (50, 299),
             SizeClass.middle_market: (300, 999), SizeClass.large: (1000, 8000)}
SECTOR_WEIGHTS = ((Sector.land, 30), (Sector.security, 22), (Sector.air, 18), (Sector.naval, 14),
                  (Sector.cyber, 10), (Sector.space, 6))
NAME_PARTS = (
    ("Hanbit", "Daesung", "Seorim", "Mirae", "Korea", "Samhwa", "Donghae", "Baekdu", "Jinwoo",
     "Haneul", "Gyeongnam", "Taesan", "Cheonji", "Saebyeok", "Yeongjin", "Hwarang", "Goryeo",
     "Namsan", "Poongsan", "Ilsung", "Sejong", "Bitgaram", "Arirang", "Dasan", "Geumgang"),
    ("Precision", "Optics", "Defence", "Aerotech", "Marine", "Systems", "Electronics", "Dynamics",
     "Materials", "Photonics", "Robotics", "Signal", "Armour", "Tactical", "Avionics", "Sensor",
     "Power", "Composites", "Secure", "Space"),
    ("Co., Ltd.", "Inc.", "Corp.", "Industries Co., Ltd.", "Tech Co., Ltd."),
)
PRODUCTS = {
    Sector.land: ("armoured vehicle parts", "tracked suspension", "remote weapon station",
                  "ballistic protection panels", "military tyres", "field shelters"),
    Sector.air: ("UAV airframes", "avionics harnesses", "flight simulators", "landing gear parts",
                 "aircraft MRO tooling"),
    Sector.naval: ("sonar transducers", "ship propulsion parts", "naval radar masts",
                   "underwater drones"),
    Sector.security: ("thermal sights", "perimeter sensors", "body armour", "night-vision goggles",
                      "counter-drone jammers"),
    Sector.space: ("satellite components", "star trackers", "ground station antennas"),
    Sector.cyber: ("tactical data links", "crypto modules", "network security appliances",
                   "secure radios"),
}
MARKETS = ("PL", "AE", "SA", "US", "FR", "GB", "DE", "AU", "IN", "ID", "PH", "TR", "EG", "NO",
           "RO", "CZ", "MY", "TH", "VN", "BR", "CA", "ES")
# The shapes signups.services.ApplicationAnswers.as_json() writes.
NEEDS = ("guarantee", "b2b", "licence_help")
BUYERS = ("ministry of defence", "prime contractor", "system integrator", "distributor",
          "police and border agencies")
LICENCE_STATUSES = ("granted", "granted", "applied", "refused")
ROLES = ("CEO", "sales director", "engineer", "export manager", "product manager")
SURNAMES = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh")
GIVEN = ("Minjun", "Seoyeon", "Jiho", "Hayoon", "Dohyun", "Jiwoo", "Yejun", "Sumin", "Hyunwoo",
         "Jiyoung", "Taeyang", "Eunji")


@dataclass(frozen=True)
class SyntheticResult:
    companies: int
    users: int
    offers: int
    slot_types: int
    applications: int
    skipped: bool = False


def registration_number(first9: str) -> str:
    """A Korean business registration number: 9 digits plus their check digit."""
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, weights)) + (digits[8] * 5) // 10
    return first9 + str((10 - total % 10) % 10)


def synthetic_programme_exists() -> bool:
    return catalogue.get_programme_by_slug(PROGRAMME_SLUG) is not None


def _password_hash(seed: int) -> str:
    # One scrypt hash with a seed-derived salt, in Werkzeug's format: hashing thousands of
    # passwords would take minutes, and a random salt would make two runs differ.
    salt = hashlib.sha256(f"synthetic-{seed}".encode()).hexdigest()[:16]
    n, r, p = 2**15, 8, 1
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt.encode(), n=n, r=r, p=p,
                            maxmem=132 * n * r * p).hex()
    return f"scrypt:{n}:{r}:{p}${salt}${digest}"


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _batched(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _insert_returning_ids(model: Any, rows: Sequence[dict[str, Any]], tick: Callable[[int], None]) -> list[int]:
    ids: list[int] = []
    for chunk in _batched(rows):
        result = db.session.execute(
            insert(model).returning(model.id, sort_by_parameter_order=True), list(chunk))
        ids.extend(result.scalars().all())
        tick(len(chunk))
    return ids


def _past_show(exhibition: Exhibition) -> dict[str, object]:
    """A past show as the profile stores it: the series of a catalogue edition, with its year."""
    return {"series": series_key(exhibition.name), "year": exhibition.edition_year,
            "name": series_label(exhibition.name),
            "name_ko": series_label(exhibition.name_ko) if exhibition.name_ko else ""}


def _company_rows(rng: random.Random, count: int, taken: set[str],
                  exhibitions: Sequence[Exhibition]) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        while True:
            # Tax office (3 digits), corporate type (81-88), serial (4 digits).
            number = registration_number(f"{rng.randint(101, 899):03d}{rng.randint(81, 88):02d}"
                                         f"{rng.randint(1, 9999):04d}")
            if number not in taken:
                taken.add(number)
                break
        size = _weighted(rng, SIZE_WEIGHTS)
        sectors = sorted({_weighted(rng, SECTOR_WEIGHTS) for _ in range(rng.choice((1, 1, 2, 2, 3)))})
        low, high = EMPLOYEES[size]
        exporter = rng.random() < {SizeClass.small: 0.2, SizeClass.medium: 0.45,
                                   SizeClass.middle_market: 0.7, SizeClass.large: 0.9}[size]
        prior: list[dict[str, object]] = []
        if exhibitions and rng.random() < 0.4:
            # Stored as a company chooses them on its profile (series keys), not as slugs.
            chosen = rng.sample(list(exhibitions), min(len(exhibitions), rng.randint(1, 3)))
            prior = [_past_show(e) for e in sorted(chosen, key=lambda e: e.slug)]
        products = sorted({rng.choice(PRODUCTS[Sector(s)]) for s in sectors})
        rows.append(dict(
            registration_number=number,
            legal_name=f"{rng.choice(NAME_PARTS[0])} {rng.choice(NAME_PARTS[1])} "
                       f"{rng.choice(NAME_PARTS[2])} #{i + 1}",
            size_class=size.value, sectors=[s.value for s in sectors], products=", ".join(products),
            employees=rng.randint(low, high), has_defence_exports=exporter,
            export_record=(f"Defence exports to {', '.join(rng.sample(MARKETS, rng.randint(1, 4)))} "
                           f"since {rng.randint(2008, 2024)}") if exporter else "",
            past_shows=prior, prior_exhibitions=[],
            no_show_count=(rng.choice((1, 1, 2)) if prior and rng.random() < 0.12 else 0),
            created_at=BASE - dt.timedelta(days=rng.randint(30, 2000)), updated_at=BASE))
    return rows


def _offer_rows(rng: random.Random, programme_id: int, exhibitions: Sequence[Exhibition],
                popularity_rank: Sequence[int]) -> list[dict[str, Any]]:
    rows = []
    for exhibition, rank in zip(exhibitions, popularity_rank):
        # The agency books bigger pavilions at the shows everyone wants.
        scale = 3 if rank < 10 else 2 if rank < 40 else 1
        starts = dt.datetime.combine(exhibition.starts_on, dt.time(0), tzinfo=UTC)
        closes = min(starts - dt.timedelta(days=rng.randint(60, 150)), LATEST_CLOSE)
        closes = closes.replace(hour=9, minute=0, second=0, microsecond=0)  # 18:00 in Seoul
        opens = closes - dt.timedelta(days=rng.randint(21, 45))
        shape = rng.random()
        booth = 0 if shape < 0.08 else rng.randint(2, 12) * scale
        delegation = 0 if 0.08 <= shape < 0.16 else rng.randint(2, 8) * scale
        people = rng.choice((2, 2, 3, 4))
        payment = closes + dt.timedelta(days=rng.randint(20, 40))
        rows.append(dict(
            programme_id=programme_id, exhibition_id=exhibition.id, booth_capacity=booth,
            booth_size_sqm=rng.choice((9, 9, 12, 18)),
            booth_cost_krw=rng.randrange(12_000_000, 45_000_000, 500_000), booth_taken=0,
            delegation_capacity=delegation, delegation_people_per_place=people,
            delegation_min_staff=rng.randint(1, min(2, people)),
            delegation_cost_krw=rng.randrange(3_000_000, 9_000_000, 250_000), delegation_taken=0,
            opens_at=opens, closes_at=closes, timezone="Asia/Seoul", mode=OfferMode.ranked.value,
            confirmation_days=rng.choice((5, 7, 7, 10)), payment_due_at=payment,
            licence_due_at=payment + dt.timedelta(days=14),
            shipping_cutoff_at=starts - dt.timedelta(days=rng.randint(25, 45)),
            buildup_starts_on=exhibition.starts_on - dt.timedelta(days=2),
            buildup_ends_on=exhibition.starts_on - dt.timedelta(days=1),
            notes=None, sequence=0, created_at=opens - dt.timedelta(days=7),
            updated_at=opens - dt.timedelta(days=7)))
    return rows


def _application_counts(rng: random.Random, companies: int, total: int, slot_types: int) -> list[int]:
    """How many applications each company makes: at least one while there are enough to go
    round, then a long tail (a few companies apply almost everywhere they may)."""
    if companies == 0 or slot_types == 0 or total == 0:
        return [0] * companies
    most = min(slot_types, 12)
    total = min(total, companies * most)
    counts = [0] * companies
    order = list(range(companies))
    rng.shuffle(order)
    for index in order[:min(total, companies)]:
        counts[index] = 1
    remaining = total - sum(counts)
    appetite = [rng.paretovariate(1.5) for _ in range(companies)]
    cum = list(itertools.accumulate(appetite))
    misses = 0
    while remaining > 0:
        index = min(bisect.bisect(cum, rng.random() * cum[-1]), companies - 1)
        if counts[index] < most:
            counts[index] += 1
            remaining -= 1
            misses = 0
        else:
            misses += 1
            if misses > 50:
                # The keen companies are full: hand the rest round to whoever has room.
                for index in order:
                    room = min(most - counts[index], remaining)
                    counts[index] += room
                    remaining -= room
    return counts


def _answers(rng: random.Random, company: dict[str, Any], kind: PlaceKind, min_staff: int,
             people: int) -> dict[str, Any]:
    products = [p.strip() for p in (company["products"] or "").split(",") if p.strip()] or ["components"]
    exhibits = []
    for name in rng.sample(products, min(len(products), rng.randint(1, 2))):
        needs_licence = rng.random() < 0.6
        exhibits.append({"name": name[0].upper() + name[1:], "needs_licence": needs_licence,
                         "licence_status": rng.choice(LICENCE_STATUSES) if needs_licence else "not_needed"})
    wanted = set(rng.sample(NEEDS, rng.randint(0, 3)))
    needs = [need for need in NEEDS if need in wanted]
    answers: dict[str, Any] = {
        "exhibits": exhibits,
        "target_markets": sorted(rng.sample(MARKETS, rng.randint(1, 4))),
        "needs": needs,
        "b2b_buyers": ", ".join(sorted(rng.sample(BUYERS, rng.randint(1, 2)))) if "b2b" in wanted else "",
        "delegates": [],
    }
    if kind == PlaceKind.delegation:
        answers["delegates"] = [{"name": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                                 "role": rng.choice(ROLES)}
                                for _ in range(rng.randint(min_staff, max(min_staff, people)))]
    return answers


def make_synthetic(exhibitions: Sequence[Exhibition], *, companies: int, applications: int,
                   seed: int, progress: bool = False) -> SyntheticResult:
    """Add `companies` companies with one applicant each, the ranked `synthetic` programme with
    one offer per exhibition (windows closed in the past) and about `applications` submitted
    applications with strict preference ranks, skewed towards a few popular shows.

    Does nothing (skipped=True) when the `synthetic` programme exists already.
    """
    from tqdm import tqdm

    if synthetic_programme_exists():
        return SyntheticResult(0, 0, 0, 0, 0, skipped=True)
    rng = random.Random(f"signups-synthetic-{seed}")
    exhibitions = sorted(exhibitions, key=lambda e: (e.starts_on, e.slug))
    bar = tqdm(total=companies * 2 + applications, desc="companies, users, applications",
               unit="row", disable=not progress)

    taken = set(db.session.scalars(select(Company.registration_number)))
    company_rows = _company_rows(rng, companies, taken, exhibitions)
    company_ids = _insert_returning_ids(Company, company_rows, bar.update)

    password_hash = _password_hash(seed)
    prefix = f"s{seed}".replace("-", "m")
    user_rows = [dict(email=f"applicant{i + 1:06d}.{prefix}@synthetic.example.com",
                      name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}", password_hash=password_hash,
                      role=Role.applicant.value, company_id=company_id, is_active_account=True,
                      email_verified_at=BASE, session_version=1, created_at=BASE)
                 for i, company_id in enumerate(company_ids)]
    user_ids = _insert_returning_ids(User, user_rows, bar.update)

    programme = Programme(
        slug=PROGRAMME_SLUG, name="Synthetic benchmark programme", name_ko="합성 벤치마크 프로그램",
        year=2027, budget_krw=rng.randrange(5, 30) * 1_000_000_000,
        eligible_size_classes=["small", "medium", "middle-market"],
        subsidy_shares={"small": 0.7, "medium": 0.5, "middle-market": 0.3, "large": 0.0},
        cap_per_company=rng.choice((2, 3)), criteria=default_criteria(),
        description="Generated by synthetic-data for benchmarks.", created_at=BASE, updated_at=BASE)
    db.session.add(programme)
    db.session.flush()

    # Zipf-like popularity: the r-th most popular show draws about 1/r^0.7 of the demand,
    # so the top shows are oversubscribed several times over and the tail is not.
    popularity_rank = list(range(len(exhibitions)))
    rng.shuffle(popularity_rank)
    offer_rows = _offer_rows(rng, programme.id, exhibitions, popularity_rank)
    offer_ids = _insert_returning_ids(Offer, offer_rows, lambda n: None)

    slots: list[tuple[int, int, PlaceKind]] = []   # (offer index, offer id, kind)
    for index, (offer_id, row) in enumerate(zip(offer_ids, offer_rows)):
        if row["booth_capacity"] > 0:
            slots.append((index, offer_id, PlaceKind.booth))
        if row["delegation_capacity"] > 0:
            slots.append((index, offer_id, PlaceKind.delegation))
    weights = [1 / (popularity_rank[index] + 1) ** 0.7 * (1.3 if kind == PlaceKind.booth else 1.0)
               for index, _, kind in slots]
    cum = list(itertools.accumulate(weights))

    counts = _application_counts(rng, len(company_ids), applications, len(slots))
    app_rows: list[dict[str, Any]] = []
    made = 0
    for company_index, (company_id, user_id, wanted) in enumerate(zip(company_ids, user_ids, counts)):
        chosen: list[int] = []
        seen: set[int] = set()
        while len(chosen) < wanted:
            pick = min(bisect.bisect(cum, rng.random() * cum[-1]), len(slots) - 1)
            if pick not in seen:
                seen.add(pick)
                chosen.append(pick)
        rng.shuffle(chosen)  # the company's own preference order
        company = company_rows[company_index]
        for rank, pick in enumerate(chosen, start=1):
            offer_index, offer_id, kind = slots[pick]
            offer = offer_rows[offer_index]
            submitted = offer["opens_at"] + dt.timedelta(
                seconds=rng.randint(0, int((offer["closes_at"] - offer["opens_at"]).total_seconds()) - 1))
            app_rows.append(dict(
                company_id=company_id, offer_id=offer_id, programme_id=programme.id,
                kind=kind.value, preference=rank, status=ApplicationStatus.submitted.value,
                answers=_answers(rng, company, kind, offer["delegation_min_staff"],
                                 offer["delegation_people_per_place"]),
                export_control_attested=True, other_public_funding=rng.random() < 0.1,
                submitted_by_id=user_id, created_at=submitted, updated_at=submitted))
        if len(app_rows) >= BATCH:
            db.session.execute(insert(Application), app_rows)
            made += len(app_rows)
            bar.update(len(app_rows))
            app_rows = []
    if app_rows:
        db.session.execute(insert(Application), app_rows)
        made += len(app_rows)
        bar.update(len(app_rows))
    bar.close()
    db.session.flush()
    return SyntheticResult(companies=len(company_ids), users=len(user_ids), offers=len(offer_ids),
                           slot_types=len(slots), applications=made)


def exhibitions_for_offers(last_id: int, count: int) -> list[Exhibition]:
    """The exhibitions the catalogue's generator just added (id above `last_id`), or, when it
    added none because they exist already, the first `count` synthetic ones; never cancelled."""
    query = select(Exhibition).where(Exhibition.status != ExhibitionStatus.cancelled)
    fresh = list(db.session.scalars(query.where(Exhibition.id > last_id).order_by(Exhibition.id)))
    if fresh or count == 0:
        return fresh
    return list(db.session.scalars(query.where(Exhibition.slug.like("synthetic-%"))
                                   .order_by(Exhibition.id).limit(count)))


def max_exhibition_id() -> int:
    return db.session.scalar(select(func.max(Exhibition.id))) or 0
