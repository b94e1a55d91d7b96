"""The programme's reference exchange rates: every reported value is converted to US dollars at
these fixed rates before it is added up, so figures never sum won, euros and dirhams as if
they were one currency.

Like KOTRA's pavilion statistics, the agency reports in USD. The rates are fixed for the
programme year (published with the programme, not looked up daily) so a report's value does
not change after it is filed; the date says which day's reference rates they are. Public
programme rules name no rate or date (reference notes, section 2), so these are the central
banks' reference rates of the date below, rounded.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

RATES_DATE = dt.date(2026, 1, 2)

# US dollars for one unit of each currency (ISO 4217).
USD_PER_UNIT: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "KRW": Decimal("0.000690"),
    "EUR": Decimal("1.17"),
    "GBP": Decimal("1.34"),
    "AED": Decimal("0.2723"),   # pegged
    "SAR": Decimal("0.2667"),   # pegged
    "QAR": Decimal("0.2747"),   # pegged
    "SGD": Decimal("0.78"),
    "AUD": Decimal("0.665"),
    "CAD": Decimal("0.73"),
    "JPY": Decimal("0.0064"),
    "PLN": Decimal("0.277"),
    "NOK": Decimal("0.099"),
    "INR": Decimal("0.0111"),
    "TRY": Decimal("0.0233"),
}

CURRENCIES: tuple[str, ...] = tuple(sorted(USD_PER_UNIT))


class UnknownCurrency(ValueError):
    pass


def to_usd(amount: Decimal | int | str, currency: str) -> Decimal:
    """`amount` of `currency` in US dollars at the reference rate, rounded to the cent.
    Raises UnknownCurrency for a currency without a reference rate: it is never guessed."""
    try:
        rate = USD_PER_UNIT[currency.upper()]
    except KeyError:
        raise UnknownCurrency(currency) from None
    return (Decimal(amount) * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
