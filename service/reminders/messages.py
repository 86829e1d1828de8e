"""What a reminder says: the date, the time and the centre's address, nothing else.

Never the service, the staff member or the case: someone else may read the person's
messages (a shared phone, an employer's mailbox), and an appointment with a social-legal
service is itself sensitive. The texts are catalogue entries (``reminder.*``), in the
person's preferred language; a language the catalogue does not have falls back to French.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from babel.dates import format_date

from service.words import formatting
from service.words.translator import Translator


class Message(msgspec.Struct, frozen=True):
    subject: str
    """For an email; an SMS has none."""
    text: str


def _values(t: Translator, starts_at: datetime, address: str) -> dict[str, str]:
    local = formatting.local(starts_at)
    return {
        "date": format_date(local.date(), "full", locale=t.locale),
        "time": formatting.clock_time(starts_at, t.locale),
        "address": address,
    }


def email(language: str, starts_at: datetime, address: str) -> Message:
    t = Translator(language)
    values = _values(t, starts_at, address)
    return Message(t("reminder.email.subject", **values), t("reminder.email.text", **values))


def sms(language: str, starts_at: datetime, address: str) -> Message:
    t = Translator(language)
    return Message("", t("reminder.sms.text", **_values(t, starts_at, address)))
