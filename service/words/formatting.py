"""Dates, times, numbers, countries and languages as the reader writes them, through Babel.

A Belgian reader writes 03/12/2026 and 14:05, in the centre's time zone; an English
reader of the centre gets the same order (en_GB). Countries and languages are named in
the reader's language from their ISO codes (``TN`` -> Tunisie, ``ar`` -> arabe).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from stdnum.be import nn

CENTRE_TIME_ZONE = ZoneInfo("Europe/Brussels")
"""Times are shown in the centre's time zone (Liège), whatever the server's."""

DATE_PATTERN = "dd/MM/yyyy"
"""03/12/2026: how a Belgian writes a date, in French as in English."""


def day(value: date | datetime, locale: Locale) -> str:
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, DATE_PATTERN, locale=locale)


def long_day(value: date, locale: Locale) -> str:
    """3 décembre 2026: for documents people keep."""
    return format_date(value, "long", locale=locale)


def moment(value: datetime, locale: Locale) -> str:
    """03/12/2026 14:05, in the centre's time zone."""
    return format_datetime(value, f"{DATE_PATTERN} HH:mm", tzinfo=CENTRE_TIME_ZONE, locale=locale)


def clock_time(value: datetime, locale: Locale) -> str:
    """14:05, in the centre's time zone."""
    return format_time(value, "HH:mm", tzinfo=CENTRE_TIME_ZONE, locale=locale)


def local(value: datetime) -> datetime:
    return value.astimezone(CENTRE_TIME_ZONE) if value.tzinfo is not None else value


def number(value: int | float | Decimal, locale: Locale) -> str:
    """1 234,5 in French, 1,234.5 in English."""
    return format_decimal(value, locale=locale)


def country(code: str, locale: Locale) -> str:
    """The country's name in the reader's language (``TN`` -> Tunisie); an unknown code as it was typed."""
    name: str | None = locale.territories.get(code.upper())
    return name or code


def language(code: str, locale: Locale) -> str:
    """The language's name in the reader's language (``ar`` -> arabe); an unknown code as it was typed."""
    name: str | None = locale.languages.get(code.lower())
    return name or code


def niss(compact: str) -> str:
    """The national register number as it is printed on the identity card: 85.07.30-033.28."""
    return str(nn.format(compact)) if len(compact) == 11 and compact.isdigit() else compact


def phone(e164: str) -> str:
    """A Belgian number as a Belgian dials it (0470 12 34 56); any other with its country code (+33 6 12 34 56 78)."""
    try:
        parsed = phonenumbers.parse(e164, "BE")
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 32
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(parsed, style))
