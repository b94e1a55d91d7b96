"""Regions (roughly continents) of the catalogue's `region` filter, and the countries in each.

The agency plans by market rather than by strict geography, so the Middle East is a region
of its own (Egypt included, as its shows are planned with the Gulf ones) and Turkey and Cyprus
count as Europe. Every ISO 3166 code that Babel knows is in exactly one region; the few
codes that are not countries (UN, ZZ, pseudo-locales, the EU, the euro area and "Outlying
Oceania") are in none.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

REGION_LABELS = {
    "europe": _l("Europe"),
    "middle-east": _l("Middle East"),
    "asia": _l("Asia"),
    "oceania": _l("Oceania"),
    "americas": _l("Americas"),
    "africa": _l("Africa"),
}

_COUNTRIES = {
    "europe": """AD AL AT AX BA BE BG BY CH CQ CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE
                 IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR UA
                 VA XK""",
    "middle-east": "AE BH EG IL IQ IR JO KW LB OM PS QA SA SY YE",
    "asia": """AF AM AZ BD BN BT CN DG GE HK ID IN IO JP KG KH KP KR KZ LA LK MM MN MO MV MY NP
               PH PK SG TH TJ TL TM TW UZ VN""",
    "oceania": """AQ AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV
                  UM VU WF WS""",
    "americas": """AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CP CR CU CW DM DO EC FK GD GF GL GP
                   GS GT GY HN HT JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC
                   VE VG VI""",
    "africa": """AC AO BF BI BJ BV BW CD CF CG CI CM CV DJ DZ EA EH ER ET GA GH GM GN GQ GW IC KE KM
                 LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TA TD TF
                 TG TN TZ UG YT ZA ZM ZW""",
}

REGIONS: dict[str, frozenset[str]] = {slug: frozenset(codes.split()) for slug, codes in _COUNTRIES.items()}
REGION_OF: dict[str, str] = {code: slug for slug, codes in REGIONS.items() for code in codes}
# Codes Babel lists as territories that are not countries anyone holds a show in.
NOT_PLACES = frozenset({"UN", "ZZ", "XA", "XB", "EU", "EZ", "QO"})


def region_of(country_code: str) -> str | None:
    return REGION_OF.get(country_code.upper())


def countries_in(region: str) -> frozenset[str]:
    return REGIONS.get(region, frozenset())
