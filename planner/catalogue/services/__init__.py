"""Catalogue services, one module per capability:

- filters: the exhibition filter (names, parsing, SQL) the listing, the API and the feeds share
- search: the listing, the timeline, the home page's coming shows, one exhibition's page
- editing: an exhibition's rules; create, update, cancel, postpone
- transfer: CSV export and import of the whole catalogue
- versions: the token that changes when a public catalogue page could
- vocabulary: status and certainty labels, countries, year range, control characters
- programmes: programmes and their offers, subsidy shares, time zones
"""
from planner.catalogue.services.editing import (
    CALENDAR_FIELDS,
    MAX_LENGTHS,
    ExhibitionInput,
    ExhibitionInvalid,
    apply_input,
    cancel_exhibition,
    clean_input,
    create_exhibition,
    exhibition_input_from,
    is_valid_website,
    postpone_exhibition,
    update_exhibition,
    validate_exhibition,
)
from planner.catalogue.services.filters import (
    FILTER_NAMES,
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    ExhibitionFilters,
    FilterError,
    filter_clauses,
    includes_past,
    parse_filter_pairs,
    parse_filters,
)
from planner.catalogue.services.markets import (
    DEFENCE_EXPORT_MARKETS,
    NOT_MARKETS,
    NOT_SHOW_PLACES,
    MarketGroup,
    MarketOption,
    market_codes,
    market_groups,
)
from planner.catalogue.services.programmes import (
    CRITERIA_KEYS,
    SLUG_PATTERN,
    OfferInput,
    PlacePrice,
    ProgrammeError,
    ProgrammeInput,
    SizeTerms,
    company_share_krw,
    create_offer,
    create_programme,
    get_programme_by_slug,
    is_valid_timezone,
    list_offers,
    list_open_offers,
    list_programmes,
    local_to_utc,
    offer_input_from,
    offers_for_exhibition,
    quote_place,
    size_class_terms,
    update_offer,
    update_programme,
    utc_to_local,
)
from planner.catalogue.services.search import (
    PER_PAGE,
    ExhibitionPage,
    OfferSummary,
    PageNotFound,
    Timeline,
    TimelineBar,
    TimelineMonth,
    add_months,
    get_exhibition,
    host_country_codes,
    list_upcoming,
    offer_summaries,
    open_exhibition_ids,
    parse_timeline_start,
    parse_year,
    search_exhibitions,
    seoul_offset_hours_for,
    timeline,
)
from planner.catalogue.services.series_list import ExhibitionSeries, exhibition_series
from planner.catalogue.services.transfer import (
    CSV_COLUMNS,
    MAX_IMPORT_BYTES,
    REQUIRED_COLUMNS,
    ImportReport,
    RowError,
    export_csv,
    import_csv,
)
from planner.catalogue.services.versions import catalogue_version
from planner.catalogue.services.vocabulary import (
    CERTAINTY_LABELS,
    CONTROL_CHARS,
    MAX_YEAR,
    MIN_YEAR,
    STATUS_LABELS,
    country_choices,
    is_known_country,
)

__all__ = [
    "ExhibitionSeries", "exhibition_series",
    "DEFENCE_EXPORT_MARKETS", "NOT_MARKETS", "NOT_SHOW_PLACES", "MarketGroup", "MarketOption", "market_codes", "market_groups",
    "CERTAINTY_LABELS", "CONTROL_CHARS", "MAX_YEAR", "MIN_YEAR", "STATUS_LABELS", "country_choices",
    "is_known_country", "FILTER_NAMES", "MAX_QUERY_LENGTH", "MAX_QUERY_WORDS", "ExhibitionFilters",
    "filter_clauses", "FilterError", "includes_past", "parse_filter_pairs", "parse_filters", "PER_PAGE",
    "ExhibitionPage", "get_exhibition", "list_upcoming", "offer_summaries", "OfferSummary",
    "open_exhibition_ids", "PageNotFound", "parse_year", "search_exhibitions", "seoul_offset_hours_for",
    "Timeline", "timeline", "TimelineBar", "TimelineMonth", "CALENDAR_FIELDS", "MAX_LENGTHS", "apply_input",
    "cancel_exhibition", "clean_input", "create_exhibition", "exhibition_input_from", "ExhibitionInput",
    "ExhibitionInvalid", "is_valid_website", "postpone_exhibition", "update_exhibition",
    "validate_exhibition", "CSV_COLUMNS", "MAX_IMPORT_BYTES", "REQUIRED_COLUMNS", "export_csv", "import_csv",
    "ImportReport", "add_months", "parse_timeline_start", "host_country_codes", "RowError", "catalogue_version", "CRITERIA_KEYS", "SLUG_PATTERN", "company_share_krw", "PlacePrice", "quote_place",
    "create_offer", "create_programme", "get_programme_by_slug", "is_valid_timezone", "list_offers",
    "list_open_offers", "list_programmes", "local_to_utc", "offer_input_from", "OfferInput",
    "offers_for_exhibition", "ProgrammeError", "ProgrammeInput", "SizeTerms", "size_class_terms", "update_offer", "update_programme",
    "utc_to_local",
]
