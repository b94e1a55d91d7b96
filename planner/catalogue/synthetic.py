"""Synthetic but realistic exhibitions for benchmarks: the same seed gives the same rows."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence

from sqlalchemy import insert, select
from tqdm import tqdm

from planner.catalogue.models import DateCertainty, Exhibition, ExhibitionSector, ExhibitionStatus
from planner.extensions import db
from planner.vocab import Sector

BATCH_SIZE = 1000

# Real cities with their ISO 3166 country and IANA time zone, so country filters, regions and
# time-zone differences behave in benchmarks as they do with real shows.
CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("Paris", "파리", "FR", "Europe/Paris"),
    ("Lyon", "리옹", "FR", "Europe/Paris"),
    ("London", "런던", "GB", "Europe/London"),
    ("Birmingham", "버밍엄", "GB", "Europe/London"),
    ("Berlin", "베를린", "DE", "Europe/Berlin"),
    ("Munich", "뮌헨", "DE", "Europe/Berlin"),
    ("Warsaw", "바르샤바", "PL", "Europe/Warsaw"),
    ("Kielce", "키엘체", "PL", "Europe/Warsaw"),
    ("Prague", "프라하", "CZ", "Europe/Prague"),
    ("Bucharest", "부쿠레슈티", "RO", "Europe/Bucharest"),
    ("Rome", "로마", "IT", "Europe/Rome"),
    ("Madrid", "마드리드", "ES", "Europe/Madrid"),
    ("Lisbon", "리스본", "PT", "Europe/Lisbon"),
    ("Stockholm", "스톡홀름", "SE", "Europe/Stockholm"),
    ("Helsinki", "헬싱키", "FI", "Europe/Helsinki"),
    ("Oslo", "오슬로", "NO", "Europe/Oslo"),
    ("Tallinn", "탈린", "EE", "Europe/Tallinn"),
    ("Vilnius", "빌뉴스", "LT", "Europe/Vilnius"),
    ("Athens", "아테네", "GR", "Europe/Athens"),
    ("Istanbul", "이스탄불", "TR", "Europe/Istanbul"),
    ("Ankara", "앙카라", "TR", "Europe/Istanbul"),
    ("Budapest", "부다페스트", "HU", "Europe/Budapest"),
    ("Bratislava", "브라티슬라바", "SK", "Europe/Bratislava"),
    ("The Hague", "헤이그", "NL", "Europe/Amsterdam"),
    ("Abu Dhabi", "아부다비", "AE", "Asia/Dubai"),
    ("Dubai", "두바이", "AE", "Asia/Dubai"),
    ("Riyadh", "리야드", "SA", "Asia/Riyadh"),
    ("Doha", "도하", "QA", "Asia/Qatar"),
    ("Manama", "마나마", "BH", "Asia/Bahrain"),
    ("Muscat", "무스카트", "OM", "Asia/Muscat"),
    ("Amman", "암만", "JO", "Asia/Amman"),
    ("Cairo", "카이로", "EG", "Africa/Cairo"),
    ("Casablanca", "카사블랑카", "MA", "Africa/Casablanca"),
    ("Nairobi", "나이로비", "KE", "Africa/Nairobi"),
    ("Johannesburg", "요하네스버그", "ZA", "Africa/Johannesburg"),
    ("Lagos", "라고스", "NG", "Africa/Lagos"),
    ("Baku", "바쿠", "AZ", "Asia/Baku"),
    ("Astana", "아스타나", "KZ", "Asia/Almaty"),
    ("Tashkent", "타슈켄트", "UZ", "Asia/Tashkent"),
    ("New Delhi", "뉴델리", "IN", "Asia/Kolkata"),
    ("Bengaluru", "벵갈루루", "IN", "Asia/Kolkata"),
    ("Karachi", "카라치", "PK", "Asia/Karachi"),
    ("Dhaka", "다카", "BD", "Asia/Dhaka"),
    ("Bangkok", "방콕", "TH", "Asia/Bangkok"),
    ("Hanoi", "하노이", "VN", "Asia/Ho_Chi_Minh"),
    ("Kuala Lumpur", "쿠알라룸푸르", "MY", "Asia/Kuala_Lumpur"),
    ("Singapore", "싱가포르", "SG", "Asia/Singapore"),
    ("Jakarta", "자카르타", "ID", "Asia/Jakarta"),
    ("Manila", "마닐라", "PH", "Asia/Manila"),
    ("Tokyo", "도쿄", "JP", "Asia/Tokyo"),
    ("Taipei", "타이베이", "TW", "Asia/Taipei"),
    ("Ulaanbaatar", "울란바토르", "MN", "Asia/Ulaanbaatar"),
    ("Sydney", "시드니", "AU", "Australia/Sydney"),
    ("Brisbane", "브리즈번", "AU", "Australia/Brisbane"),
    ("Adelaide", "애들레이드", "AU", "Australia/Adelaide"),
    ("Auckland", "오클랜드", "NZ", "Pacific/Auckland"),
    ("Washington", "워싱턴 D.C.", "US", "America/New_York"),
    ("San Diego", "샌디에이고", "US", "America/Los_Angeles"),
    ("Ottawa", "오타와", "CA", "America/Toronto"),
    ("Mexico City", "멕시코시티", "MX", "America/Mexico_City"),
    ("Bogotá", "보고타", "CO", "America/Bogota"),
    ("Lima", "리마", "PE", "America/Lima"),
    ("Santiago", "산티아고", "CL", "America/Santiago"),
    ("Buenos Aires", "부에노스아이레스", "AR", "America/Argentina/Buenos_Aires"),
    ("Rio de Janeiro", "리우데자네이루", "BR", "America/Sao_Paulo"),
)

VENUES = ("International Exhibition Centre", "Convention Centre", "Expo Centre", "Air Base",
          "Trade Fair Grounds", "Naval Base and Exhibition Hall")
THEMES: dict[Sector, tuple[str, str, str]] = {
    # sector: (English words in show names, Korean word, what the description says it covers)
    Sector.land: ("Land Systems", "지상무기", "armoured vehicles, artillery and soldier systems"),
    Sector.air: ("Aerospace", "항공우주", "military aircraft, helicopters and unmanned aircraft"),
    Sector.naval: ("Maritime Defence", "해양방산", "warships, submarines and naval systems"),
    Sector.security: ("Homeland Security", "국토안보", "border protection, policing and critical-infrastructure security"),
    Sector.space: ("Space & Defence", "우주방산", "satellites, launchers and space surveillance"),
    Sector.cyber: ("Cyber Defence", "사이버방어", "cyber defence, secure communications and electronic warfare"),
}
FORMATS = ("Exhibition", "Expo", "Show", "Forum & Exhibition", "Summit & Expo")
ORGANISERS = ("Ministry of Defence", "National Armed Forces", "Defence Industry Association",
              "Clarion Events", "Tarsus Group", "Comexposium", "Messe Exhibitions GmbH",
              "Asia Expo Pte Ltd", "Experia Events", "Defence Export Agency")
YEARS = (2025, 2026, 2027, 2028, 2029)


def _rows(count: int, seed: int, today: dt.date) -> Iterator[tuple[dict[str, object], list[Sector]]]:
    rng = random.Random(seed)
    sectors_all = list(Sector)
    for n in range(1, count + 1):
        city, city_ko, country, timezone = rng.choice(CITIES)
        year = rng.choice(YEARS)
        starts_on = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 360))
        # Two to six days, kept inside the edition year so edition_year stays honest.
        ends_on = min(starts_on + dt.timedelta(days=rng.randint(2, 6) - 1), dt.date(year, 12, 31))
        sectors = sorted(rng.sample(sectors_all, rng.choices((1, 2, 3), weights=(5, 3, 2))[0]))
        theme, theme_ko, covers = THEMES[sectors[0]]
        fmt = rng.choice(FORMATS)
        name = f"{city} {theme} {fmt}"
        acronym = "".join(word[0] for word in f"{city} {theme}".split() if word[0].isalpha()).upper()[:6]
        certainty = rng.choices(list(DateCertainty), weights=(6, 3, 2))[0]
        roll = rng.random()
        if roll < 0.03:
            status, note = ExhibitionStatus.cancelled, "Cancelled by the organiser."
        elif roll < 0.07:
            status, note = ExhibitionStatus.postponed, "Postponed; new dates to be announced."
        elif ends_on < today:
            status, note = ExhibitionStatus.completed, None
        else:
            status, note = ExhibitionStatus.planned, None
        if certainty is DateCertainty.month and note is None:
            note = "Only the month is announced; the days shown are placeholders."
        elif certainty is DateCertainty.projected and note is None:
            note = "Not yet announced; projected from the show's usual cycle."
        covered = ", ".join(THEMES[s][2] for s in sectors)
        yield {
            "slug": f"synthetic-{n}-{year}",
            "name": f"{name} {year}",
            "name_ko": f"{city_ko} {theme_ko} 전시회 {year}",
            "acronym": acronym or None,
            "edition_year": year,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "date_certainty": certainty,
            "city": city,
            "city_ko": city_ko,
            "country_code": country,
            "venue": f"{city} {rng.choice(VENUES)}",
            "timezone": timezone,
            "organiser": rng.choice(ORGANISERS),
            "website": f"https://www.example.org/shows/{n}",
            "description": f"Synthetic {fmt.lower()} in {city} for {covered}.",
            "description_ko": f"{city_ko}에서 열리는 {theme_ko} 분야 합성 전시회입니다.",
            "status": status,
            "status_note": note,
            "source": "synthetic (benchmark data)",
            "sequence": 0,
        }, sectors


def _batches(items: Sequence[tuple[dict[str, object], list[Sector]]], size: int
             ) -> Iterator[Sequence[tuple[dict[str, object], list[Sector]]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def make_exhibitions(count: int, *, seed: int, progress: bool = False,
                     today: dt.date | None = None) -> int:
    """Insert `count` synthetic exhibitions (slugs `synthetic-<n>-<year>`); returns how many were new.

    Rows depend only on `seed` and `today` (which decides which editions are already completed).
    Slugs already in the database are skipped, so a second run adds nothing. Bulk inserts in
    batches keep 5,000 rows to a few seconds; flushes only, the caller commits.
    """
    today = today or dt.date.today()
    rows = list(_rows(count, seed, today))
    existing = set(db.session.scalars(
        select(Exhibition.slug).where(Exhibition.slug.like("synthetic-%"))))
    new = [(values, sectors) for values, sectors in rows if values["slug"] not in existing]
    with tqdm(total=len(new), desc="exhibitions", unit="row", disable=not progress) as bar:
        for batch in _batches(new, BATCH_SIZE):
            result = db.session.execute(
                insert(Exhibition).returning(Exhibition.slug, Exhibition.id, sort_by_parameter_order=True),
                [values for values, _ in batch])
            ids = {slug: id_ for slug, id_ in result}
            db.session.execute(insert(ExhibitionSector), [
                {"exhibition_id": ids[str(values["slug"])], "sector": sector}
                for values, sectors in batch for sector in sectors])
            bar.update(len(batch))
    db.session.flush()
    return len(new)
