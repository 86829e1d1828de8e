"""msgspec round trips every value type exactly, and upcasts old events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.domain import Aggregate, event

from service.storage.codec import CodecError, EventCodec


class Situation(StrEnum):
    JOBSEEKER = "jobseeker"
    NEWCOMER = "newcomer"


class Address(msgspec.Struct, frozen=True):
    street: str
    postcode: str


class Sample(Aggregate):
    @event("Registered")
    def __init__(
        self,
        name: str,
        born: date | None,
        situation: Situation,
        address: Address,
        allowance: Decimal,
        languages: tuple[str, ...],
        referred_by: UUID | None,
        seen_at: datetime,
    ) -> None:
        self.name = name

    @event("Renamed")
    def rename(self, name: str) -> None:
        self.name = name


class Versioned(Aggregate):
    class Noted(Aggregate.Event):
        text: str
        minutes: int = 0

    @event(Noted)
    def note(self, text: str, minutes: int = 0) -> None:
        self.text = text


def round_trip(codec: EventCodec, domain_event: Any) -> Any:
    payload = codec.encode(domain_event)
    return codec.decode(
        codec.topic_of(domain_event), payload, domain_event.originator_id, domain_event.originator_version
    )


def test_every_value_type_survives_the_round_trip_exactly() -> None:
    codec = EventCodec()
    sample = Sample(
        name="Élodie",
        born=date(1994, 2, 28),
        situation=Situation.NEWCOMER,
        address=Address("Rue Saint-Gilles 12", "4000"),
        allowance=Decimal("1234.50"),
        languages=("fr", "ar", "ti"),
        referred_by=uuid4(),
        seen_at=datetime(2026, 11, 3, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1))),
    )
    sample.rename("Elodie")
    for original in sample.collect_events():
        decoded = round_trip(codec, original)
        assert type(decoded) is type(original)
        assert vars(decoded) == vars(original)
        for name, value in vars(original).items():
            assert type(getattr(decoded, name)) is type(value), name
    rebuilt = None
    for original in Sample(
        name="A",
        born=None,
        situation=Situation.JOBSEEKER,
        address=Address("r", "1"),
        allowance=Decimal(0),
        languages=(),
        referred_by=None,
        seen_at=datetime.now(UTC),
    ).collect_events():
        rebuilt = round_trip(codec, original).mutate(rebuilt)
    assert rebuilt is not None and rebuilt.name == "A"


def test_old_event_is_upcast_to_the_current_class_version() -> None:
    codec = EventCodec()
    aggregate = Versioned()
    aggregate.note("first visit", 20)
    noted = aggregate.collect_events()[-1]
    # What version 1 stored: no minutes, and the text under its old name.
    old_payload = msgspec.msgpack.encode({"timestamp": noted.timestamp, "comment": "first visit"})

    class_ = type(noted)
    class_.class_version = 2

    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["text"] = state.pop("comment")
        state["minutes"] = 0

    class_.upcast_v1_v2 = staticmethod(upcast_v1_v2)
    try:
        decoded = codec.decode(codec.topic_of(noted), old_payload, noted.originator_id, 2)
        assert (decoded.text, decoded.minutes, decoded.timestamp) == ("first visit", 0, noted.timestamp)
        current = round_trip(codec, noted)
        assert (current.text, current.minutes) == ("first visit", 20)
    finally:
        del class_.class_version, class_.upcast_v1_v2


def test_undecodable_payload_names_the_topic_but_no_data() -> None:
    codec = EventCodec()
    aggregate = Versioned()
    aggregate.note("private text")
    noted = aggregate.collect_events()[-1]
    with pytest.raises(CodecError) as raised:
        codec.decode(codec.topic_of(noted), msgspec.msgpack.encode({"text": 5}), noted.originator_id, 2)
    assert codec.topic_of(noted) in str(raised.value)
    assert "private" not in str(raised.value)
