"""Identity values as a Belgian centre writes them: one stored form each, or a refusal naming the field."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValueError
from domain.person import ContactDetails, PersonDetails
from service.application.identity_values import email_address, national_number, normalised, phone_number
from service.words.formatting import niss, phone


@pytest.mark.parametrize("typed", ["85.07.30-033.28", "85073003328", " 85 07 30 033 28 "])
def test_a_niss_is_kept_as_its_eleven_digits_and_written_as_on_the_identity_card(typed: str) -> None:
    assert national_number(typed) == "85073003328"
    assert niss("85073003328") == "85.07.30-033.28"


def test_a_bis_number_is_a_niss_too_and_a_wrong_check_number_is_refused() -> None:
    assert national_number("85.27.30-033.71") == "85273003371"  # month + 20: a bis number
    for typed in ("85.07.30-033.29", "1234", "abcdefghijk"):
        with pytest.raises(InvalidValueError) as refused:
            national_number(typed)
        assert refused.value.field == "niss" and typed not in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "stored", "written"),
    [
        ("0470 12 34 56", "+32470123456", "0470 12 34 56"),
        ("+32 4 223 45 67", "+3242234567", "04 223 45 67"),
        ("0033 6 12 34 56 78", "+33612345678", "+33 6 12 34 56 78"),
    ],
)
def test_a_phone_number_is_stored_in_e164_and_written_as_a_belgian_dials_it(typed, stored, written) -> None:
    assert phone_number(typed) == stored
    assert phone(stored) == written


def test_an_unusable_phone_or_email_is_refused_naming_its_field() -> None:
    for typed in ("12", "0470 12 34", "appelez-moi"):
        with pytest.raises(InvalidValueError) as refused:
            phone_number(typed)
        assert refused.value.field == "contact.phone"
    with pytest.raises(InvalidValueError) as refused:
        email_address("amina.diallo")
    assert refused.value.field == "contact.email"


def test_details_are_normalised_whole_and_blank_values_are_none() -> None:
    typed = PersonDetails(
        "Amina",
        "Diallo",
        niss="85.07.30-033.28",
        contact=ContactDetails(phone="0470/12.34.56", email=" amina@example.be ", address="  "),
    )
    details = normalised(typed)
    assert details.niss == "85073003328"
    assert details.contact == ContactDetails(phone="+32470123456", email="amina@example.be", address=None)
