"""msgspec serialisation of eventsourcing domain events, with upcasting.

An event is stored as a msgpack map of its attributes, without its stream id and
version (those are columns). Decoding is typed: each event class gets a msgspec struct
mirroring its fields, so UUIDs, dates, datetimes, Decimals, enums and nested value
objects come back as exactly what went in. When an event class's ``class_version`` has
moved on, the stored map is upcast step by step (``upcast_v1_v2`` ...) before decoding.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic, resolve_topic

_IDENTITY = ("originator_id", "originator_version")
_CLASS_VERSION = "class_version"


class CodecError(Exception):
    """A stored event could not be decoded. The message names the topic, never the data."""


class EventCodec:
    def __init__(self) -> None:
        self._encoder = msgspec.msgpack.Encoder()
        self._topics: dict[type, str] = {}
        self._plans: dict[str, _Plan] = {}

    def topic_of(self, event: object) -> str:
        return self.topic_of_class(type(event))

    def topic_of_class(self, event_class: type) -> str:
        topic = self._topics.get(event_class)
        if topic is None:
            topic = self._topics[event_class] = get_topic(event_class)
        return topic

    def encode(self, event: object) -> bytes:
        state = {k: v for k, v in vars(event).items() if k not in _IDENTITY}
        class_version = getattr(type(event), _CLASS_VERSION, 1)
        if class_version > 1:
            state[_CLASS_VERSION] = class_version
        return self._encoder.encode(state)

    def decode(self, topic: str, payload: bytes, stream_id: UUID, version: int) -> Any:
        """The event, of the class the topic names (typed Any: the topic decides).

        This runs once per event read (catch-up, rebuilds): the struct's fields go straight into
        the new event's ``__dict__``, with no intermediate copy.
        """
        plan = self._plans.get(topic)
        try:
            if plan is None:
                plan = self._plans[topic] = _Plan.of(topic)
            if plan.class_version == 1:
                fields = plan.decode(payload)
            else:
                state = msgspec.msgpack.decode(payload)
                stored = state.pop(_CLASS_VERSION, 1)
                while stored < plan.class_version:
                    getattr(plan.event_class, f"upcast_v{stored}_v{stored + 1}")(state)
                    stored += 1
                fields = msgspec.convert(state, plan.shape, strict=False)
        except (msgspec.DecodeError, msgspec.ValidationError, AttributeError, TypeError, ValueError) as error:
            raise CodecError(f"cannot decode an event of topic {topic}: {type(error).__name__}") from None
        event: Any = _new(plan.event_class)
        attributes = event.__dict__
        attributes.update(_asdict(fields))
        attributes["originator_id"] = stream_id
        attributes["originator_version"] = version
        return event


_new = object.__new__
_asdict = msgspec.structs.asdict


class _Plan(NamedTuple):
    """How to decode one topic, worked out once per codec."""

    event_class: type
    shape: type[msgspec.Struct]
    decode: Callable[[bytes], Any]
    """The shape's msgpack decoder, bound."""
    class_version: int

    @classmethod
    def of(cls, topic: str) -> _Plan:
        event_class = typing.cast(type, resolve_topic(topic))
        shape = _shape(event_class)
        decoder = msgspec.msgpack.Decoder(shape)
        return cls(event_class, shape, decoder.decode, getattr(event_class, _CLASS_VERSION, 1))


@cache
def _shape(event_class: type) -> type[msgspec.Struct]:
    """A struct with the event's fields and types, minus the identity the columns carry."""
    hints = typing.get_type_hints(event_class)
    fields: list[Any] = []
    for field in dataclasses.fields(event_class):
        if field.name in _IDENTITY:
            continue
        annotation = hints[field.name]
        if field.default is not dataclasses.MISSING:
            fields.append((field.name, annotation, field.default))
        elif field.default_factory is not dataclasses.MISSING:
            fields.append((field.name, annotation, msgspec.field(default_factory=field.default_factory)))
        else:
            fields.append((field.name, annotation))
    # gc=False: decoded, then copied into the event at once; never part of a cycle.
    return msgspec.defstruct(event_class.__qualname__, fields, kw_only=True, gc=False)
