"""Words shared by several domains (sectors, company size classes), below every domain."""
from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Sector(StrEnum):
    land = "land"
    air = "air"
    naval = "naval"
    security = "security"
    space = "space"
    cyber = "cyber"


class SizeClass(StrEnum):
    small = "small"
    medium = "medium"
    middle_market = "middle-market"
    large = "large"


SECTOR_LABELS = {
    Sector.land: _l("Land"),
    Sector.air: _l("Air"),
    Sector.naval: _l("Naval"),
    Sector.security: _l("Security"),
    Sector.space: _l("Space"),
    Sector.cyber: _l("Cyber"),
}

SIZE_CLASS_LABELS = {
    SizeClass.small: _l("Small"),
    SizeClass.medium: _l("Medium"),
    SizeClass.middle_market: _l("Middle-market"),
    SizeClass.large: _l("Large"),
}
