"""Exhibition series: the key editions of one show share ("Eurosatory 2024", "eurosatory-2026"
and "EUROSATORY" are all "eurosatory"), so what a company typed about its past shows can be
matched to an edition of the same show. Pure."""
from __future__ import annotations

import re
from collections.abc import Iterable

# A four-digit edition year standing on its own ("Eurosatory 2024", "idex-2025", "DSEI'27" is
# left alone: two digits are too often part of a name).
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
_NOT_ALNUM = re.compile(r"[^0-9a-z가-힣]+")


def series_key(text: str) -> str:
    """The series a name, slug or line of a company's profile refers to: case, the edition
    year, spaces and punctuation do not matter. Empty for text that names no series."""
    return _NOT_ALNUM.sub("", _YEAR.sub(" ", text.casefold()))


def exhibition_series_keys(*, name: str, slug: str, name_ko: str | None = None) -> frozenset[str]:
    """The keys an edition answers to: its name's and its slug's (and its Korean name's).

    Not its acronym: acronyms are shared between unrelated shows ("SAS" is the Singapore
    Airshow to one company and Sea-Air-Space to another), so an acronym alone never matches
    unless it is the show's name ("IDEX")."""
    keys = {series_key(name), series_key(slug)}
    if name_ko:
        keys.add(series_key(name_ko))
    keys.discard("")
    return frozenset(keys)


def edition_year(text: str) -> int | None:
    """The four-digit edition year a line names ("Eurosatory 2024" → 2024), if any."""
    found = _YEAR.search(text)
    return int(found.group(0)) if found else None


def series_label(name: str) -> str:
    """An edition's name without its year: the series' name ("Eurosatory 2026" → "Eurosatory")."""
    return re.sub(r"\s{2,}", " ", _YEAR.sub(" ", name)).strip(" -–—'’") or name.strip()


def series_index(editions: Iterable[tuple[str, str, str | None]]) -> dict[str, str]:
    """Every key an edition answers to, mapped to its series' own key (that of its name), from
    (name, slug, Korean name) of each edition: what a company typed is read through it."""
    index: dict[str, str] = {}
    for name, slug, name_ko in editions:
        own = series_key(name)
        if not own:
            continue
        for key in exhibition_series_keys(name=name, slug=slug, name_ko=name_ko):
            index.setdefault(key, own)
    return index


def read_past_show(line: str, index: dict[str, str]) -> tuple[str, int | None] | None:
    """(series key, year) of a line such as "Eurosatory 2024" or "eurosatory-2024", or None
    when it names no series of the catalogue."""
    own = index.get(series_key(line))
    return (own, edition_year(line)) if own else None
