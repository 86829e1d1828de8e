"""The values of a person's identity as a Belgian centre writes them: NISS, phone numbers, email.

Each value is checked and stored in one form (a NISS as its 11 digits, a phone number in
E.164), whichever door it came through (the API, the pages, the command line); the pages
write them back as people read them (``service.words.formatting``). A value that cannot be
used is refused naming its field (``contact.phone``), never with the value itself, which is
personal data.
"""

from __future__ import annotations

import re

import msgspec
import phonenumbers
from stdnum.be import bis, nn
from stdnum.exceptions import ValidationError

from domain.errors import InvalidValueError
from domain.person import ContactDetails, PersonDetails

PHONE_REGION = "BE"
"""A number typed without its country code (0470 12 34 56) is Belgian."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def national_number(text: str, field: str = "niss") -> str:
    """The NISS (or a bis number, given to people not in the national register), as its 11 digits."""
    compact = nn.compact(text)
    try:
        return nn.validate(compact)
    except ValidationError:
        pass
    try:
        return bis.validate(compact)
    except ValidationError:
        raise InvalidValueError("is not a valid national register number (NISS)", field=field) from None


def phone_number(text: str, field: str = "contact.phone") -> str:
    """A phone number in E.164 (``+32470123456``); one typed without its country code is Belgian."""
    try:
        parsed = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise InvalidValueError("is not a valid phone number", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_address(text: str, field: str = "contact.email") -> str:
    address = text.strip()
    if not _EMAIL.match(address):
        raise InvalidValueError("is not a valid email address", field=field)
    return address


def _blank_as_none(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


def normalised(details: PersonDetails) -> PersonDetails:
    """The details with each value in its one stored form; raises naming the first field that cannot be used."""
    contact = details.contact
    phone, email = _blank_as_none(contact.phone), _blank_as_none(contact.email)
    niss = _blank_as_none(details.niss)
    return msgspec.structs.replace(
        details,
        niss=None if niss is None else national_number(niss),
        contact=ContactDetails(
            phone=None if phone is None else phone_number(phone),
            email=None if email is None else email_address(email),
            address=_blank_as_none(contact.address),
        ),
    )
