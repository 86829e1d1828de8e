"""Every stored event keeps a shape the codec can round-trip exactly."""

import ast
import dataclasses
import enum
import importlib
import pkgutil
import re
import types
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.domain import DomainEvent

import domain
from domain.base import Category, SuiviAggregate
from domain.case import Case, CaseDomain, CaseOutcome, DocumentKind
from domain.cohort import Cohort
from domain.consent import Body, ConsentRecord, Evidence, Purpose
from domain.office_hours import Help, RequestCategory, Visit
from domain.organisations import OrganisationKind
from domain.person import ContactDetails, LegalBasis, Person, PersonDetails, Situation
from domain.referral import Referral
from domain.training import AssessmentKind, AttendanceStatus
from domain.workflows import enrol

DOMAIN_DIR = Path(domain.__file__).parent
IRREGULAR_PAST = {"Given", "Made", "Withdrawn", "Done", "Set", "Left"}
LEAVES = {str, int, bool, type(None), UUID, date, datetime, Decimal}
STAFF = uuid4()
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def domain_modules() -> list[types.ModuleType]:
    names = [m.name for m in pkgutil.iter_modules([str(DOMAIN_DIR)])]
    return [importlib.import_module(f"domain.{name}") for name in sorted(names)]


def aggregate_classes() -> list[type[SuiviAggregate]]:
    found = {
        value
        for module in domain_modules()
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, SuiviAggregate) and value is not SuiviAggregate
    }
    return sorted(found, key=lambda cls: cls.__qualname__)


def event_classes() -> list[type[DomainEvent]]:
    return [
        value
        for aggregate in aggregate_classes()
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, SuiviAggregate.Event) and name not in ("Event", "Created")
    ]


def allowed(tp: object) -> bool:
    if tp in LEAVES:
        return True
    if isinstance(tp, type) and issubclass(tp, enum.StrEnum):
        return True
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        frozen = tp.__struct_config__.frozen
        hints = typing.get_type_hints(tp)
        return frozen and all(allowed(hints[f]) for f in tp.__struct_fields__)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis and allowed(args[0])
    if origin in (typing.Union, types.UnionType):
        return all(allowed(arg) for arg in args)
    return False


def test_every_aggregate_declares_its_category() -> None:
    for aggregate in aggregate_classes():
        assert isinstance(aggregate.CATEGORY, Category), aggregate


def test_there_are_events_to_check() -> None:
    assert len(event_classes()) >= 40


@pytest.mark.parametrize("event_class", event_classes(), ids=lambda c: c.__qualname__)
def test_event_fields_have_resolvable_allowed_types(event_class: type) -> None:
    hints = typing.get_type_hints(event_class)
    for field in dataclasses.fields(event_class):
        if field.name == "originator_id":
            continue  # declared by eventsourcing as a type variable bound to UUID
        assert allowed(hints[field.name]), (event_class, field.name, hints[field.name])


@pytest.mark.parametrize("event_class", event_classes(), ids=lambda c: c.__qualname__)
def test_event_names_are_past_tense(event_class: type) -> None:
    words = re.findall(r"[A-Z][a-z]*", event_class.__name__)
    assert any(w.endswith("ed") or w in IRREGULAR_PAST for w in words), words


def test_domain_imports_only_stdlib_eventsourcing_domain_and_msgspec() -> None:
    allowed_roots = {"eventsourcing.domain", "msgspec", "domain"}
    for path in DOMAIN_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                ok = root in allowed_roots or name in allowed_roots
                assert ok or root in __import__("sys").stdlib_module_names, (path, name)
                assert not name.startswith("eventsourcing.") or name in allowed_roots


def sample_events() -> list[DomainEvent]:
    details = PersonDetails(
        given_name="Amina",
        family_name="Diallo",
        birth_date=date(1990, 5, 17),
        nationality="GN",
        languages=("fr", "ff"),
        preferred_language="fr",
        contact=ContactDetails(phone="+32 470 00 00 00"),
        situations=(Situation.JOBSEEKER, Situation.NEWCOMER),
    )
    person = Person.register(uuid4(), "2026-00042", details, AT, STAFF)
    person.place_legal_hold(uuid4(), LegalBasis.LEGAL_CLAIMS, "appeal", AT, STAFF)
    consents = ConsentRecord.open(person.id, AT, STAFF)
    consents.give(
        Purpose.EXTERNAL_REFERRAL,
        Evidence.ORAL_WITH_INTERPRETER,
        AT,
        STAFF,
        body=Body(OrganisationKind.CPAS, "CPAS de Liège"),
        valid_until=date(2026, 12, 31),
    )
    consents.withdraw(Purpose.EXTERNAL_REFERRAL, AT, STAFF)
    cohort = Cohort.schedule(uuid4(), "DigiLab mars", "Liège", date(2026, 3, 2), date(2026, 3, 27), AT, STAFF)
    record = enrol(cohort, person.id, uuid4(), AT, STAFF)
    assert record is not None
    record.record_attendance(cohort, date(2026, 3, 2), AttendanceStatus.LATE, AT, STAFF, Decimal("3.5"))
    record.assess("4.2", 3, AssessmentKind.INITIAL, AT, STAFF)
    visit = Visit.check_in(uuid4(), person.id, date(2026, 3, 2), "Liège", AT, STAFF)
    visit.record_help(Help(RequestCategory.ONLINE_PROCEDURE, "itsme", "set up", 20, STAFF, True), AT)
    case = Case.open(uuid4(), person.id, CaseDomain.HOUSING, STAFF, "rent", AT, STAFF)
    case.reference_document(uuid4(), DocumentKind.BILL, "box 3", AT, STAFF)
    case.set_follow_up(uuid4(), date(2026, 3, 9), "call landlord", AT, STAFF)
    case.close(CaseOutcome.RESOLVED, "", AT, STAFF)
    referral = Referral.make_external(
        uuid4(),
        person.id,
        OrganisationKind.LAWYER,
        "Me X",
        "appeal",
        consents,
        AT,
        STAFF,
        override_reason="urgent deadline",
    )
    events: list[DomainEvent] = []
    for aggregate in (person, consents, cohort, record, visit, case, referral):
        events.extend(aggregate.collect_events())  # type: ignore[arg-type]
    return events


@pytest.mark.parametrize("codec", ["builtins", "json"])
def test_sample_events_round_trip_exactly_through_msgspec(codec: str) -> None:
    for event in sample_events():
        if codec == "json":
            back = msgspec.json.decode(msgspec.json.encode(vars(event)), type=type(event))
        else:
            back = msgspec.convert(msgspec.to_builtins(vars(event)), type=type(event))
        assert back == event
        assert type(back.originator_id) is UUID
