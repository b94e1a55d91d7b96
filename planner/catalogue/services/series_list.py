"""The exhibition series of the catalogue, as a company chooses its past shows from them (the
profile's "exhibitions attended before"): one entry per series, whatever its editions."""
from __future__ import annotations

from dataclasses import dataclass

from planner.catalogue.models import Exhibition
from planner.catalogue.series import series_key, series_label
from planner.extensions import db

__all__ = ["ExhibitionSeries", "exhibition_series"]


@dataclass(frozen=True)
class ExhibitionSeries:
    key: str          # series_key of its editions' name: what profiles store and scoring reads
    name: str         # "Eurosatory"
    name_ko: str      # "유로사토리", or "" when no edition has a Korean name


def _editions() -> list[tuple[str, str, str | None]]:
    # The latest edition first, so a series is named as it is called today.
    return [(r.name, r.slug, r.name_ko) for r in db.session.execute(
        db.select(Exhibition.name, Exhibition.slug, Exhibition.name_ko)
        .order_by(Exhibition.starts_on.desc(), Exhibition.id.desc()))]


def exhibition_series() -> list[ExhibitionSeries]:
    """Every series of the catalogue, by English name."""
    found: dict[str, ExhibitionSeries] = {}
    for name, _slug, name_ko in _editions():
        key = series_key(name)
        if key and key not in found:
            found[key] = ExhibitionSeries(key, series_label(name), series_label(name_ko) if name_ko else "")
    return sorted(found.values(), key=lambda s: s.name.casefold())
