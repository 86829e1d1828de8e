"""The OpenAPI document (``/schema/openapi.json``), completed once for every route.

Litestar builds the document from the handlers. What it cannot know is added here, in one pass:

- **Error answers.** Every operation lists the problems it can give, each as
  ``application/problem+json`` with the :class:`~service.http.problems.Problem` schema (in place
  of Litestar's own 400 body, which Suivi never sends):

  ======  ==================================================================================
  400     every operation (a malformed body, a header or parameter that cannot be used)
  401     every operation (sign-in: refused)
  403     every operation behind a session (a role guard, or the caller is needed)
  404     every operation that names something by id, in its path or in its body
  409     every command (it takes an Idempotency-Key or If-Match), and every change in an area
          that says its changes can conflict (a staff account's username)
  410     every operation of an area about people (the person was erased)
  413     every operation with a body
  422     every operation (the schema, or a rule of the domain)
  423     the commands of an area where restriction applies (the DPO's own areas never answer it)
  503     every operation (with Retry-After)
  ======  ==================================================================================

  An area says what it is about on its Router: ``Router(..., opt=area(people=True, restricted=True))``.
- **Request bodies** are described by msgspec, which decodes them: closed
  (``additionalProperties: false``, as unknown fields are refused) and with every constraint,
  nested ones included (Litestar keeps only a field's own: the items of a list, the keys and
  values of a dict lose theirs). A rule between fields that a schema can state is declared on
  the struct as ``json_schema_extra``; the others are told in the operation's description, and
  their 422 names the field.
- An optional header is absent when not sent, never ``null``: its schema says so. A 204 has no body.
- **Read your own writes.** The success answers of every change name ``Suivi-Log-Position`` (where its
  events are in the log, when it wrote), which a later request sends back to wait for the read models.
- The handlers' docstrings are the operations' descriptions.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

import msgspec
from litestar import Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI
from litestar.routes import HTTPRoute

from service.http.headers import LOG_POSITION, LOG_POSITION_PATTERN
from service.http.problems import MEDIA_TYPE, Problem

AREA = "suivi.area"
_REF = "#/components/schemas/{name}"
_CALLER = {"principal", "actor", "command"}
"""Dependencies that authenticate the caller."""
_COMMAND = {"command", "if_match"}


@dataclass(frozen=True)
class Area:
    """What the operations of one area are about, beyond what each handler's signature tells."""

    people: bool = False
    """Its operations read or change a person's records: 410 once the person is erased."""
    restricted: bool = False
    """Its commands are refused while processing of the person is restricted (423), for all but the DPO."""
    conflicts: bool = False
    """Every change in it can conflict (409), even one without Idempotency-Key or If-Match."""


def area(*, people: bool = False, restricted: bool = False, conflicts: bool = False) -> dict[str, Any]:
    """The ``opt`` of an area's Router, declaring what its operations are about."""
    return {AREA: Area(people=people, restricted=restricted, conflicts=conflicts)}


_ANSWERS: dict[int, str] = {
    400: "bad-request: the body is not JSON, or a header or parameter cannot be used (the detail names it).",
    401: "not-signed-in: no session, or it expired, was closed or its account deactivated.",
    403: "forbidden: another role's, outside what the access policy allows, or a cookie session's change"
    " without its X-CSRF-Token.",
    404: "not-found: nothing has that id (the detail names the record).",
    409: "conflict: changed meanwhile (current_version, and an ETag, when If-Match was stale) or already"
    " taken; legal-hold: a legal hold refuses it (legal_holds).",
    410: "erased: the person was erased (receipt_id: the erasure receipt, when there is one).",
    413: "request-too-large.",
    422: "invalid-request: fields break the schema (errors names each); rule-broken: a rule of the domain"
    " refuses it (errors names the field when one is to blame); idempotency-key-reused: the key came with"
    " another command.",
    423: "restricted: processing of this person is restricted (GDPR Art. 18); only the DPO may act on it.",
    503: "unavailable: the database is briefly out of reach; try again after Retry-After seconds.",
}
_SIGN_IN_REFUSED = "sign-in-refused: wrong username or password, or locked for a while after repeated failures."
_HEADERS: dict[int, dict[str, Any]] = {
    409: {
        "ETag": {
            "description": "The current version, when an If-Match was stale.",
            "required": False,
            "schema": {"type": "string"},
        }
    },
    503: {"Retry-After": {"description": "Seconds to wait.", "required": True, "schema": {"type": "integer"}}},
}

_WRITTEN = {
    LOG_POSITION: {
        "description": "When the request wrote: where its events are in the log. Send it back as the"
        f" {LOG_POSITION} header of a later request to read your own writes.",
        "required": False,
        "schema": {"type": "string", "pattern": LOG_POSITION_PATTERN},
    }
}


@dataclass
class DocumentConfig(OpenAPIConfig):
    """Litestar's OpenAPI configuration, whose document is completed for ``routes``: the API's, not the pages'."""

    routes: Sequence[Any] = ()

    def to_openapi_schema(self) -> OpenAPI:
        base = super().to_openapi_schema()
        return _Document(**{f.name: getattr(base, f.name) for f in fields(base)}, routes=self.routes)


@dataclass
class _Document(OpenAPI):
    routes: Sequence[Any] = ()

    @property
    def _exclude_fields(self) -> set[str]:
        return {"routes"}

    def to_schema(self) -> dict[str, Any]:
        return complete(super().to_schema(), self.routes)


@dataclass(frozen=True)
class _Operation:
    spec: dict[str, Any]
    path: str
    method: str
    handler: HTTPRouteHandler
    guarded: bool
    area: Area
    body: type[msgspec.Struct] | None


def complete(document: dict[str, Any], routes: Sequence[Any]) -> dict[str, Any]:
    """Add the error answers and msgspec's request body schemas to Litestar's ``document``."""
    operations = list(_operations(document, routes))
    bodies = [op.body for op in operations if op.body is not None]
    structs = list(dict.fromkeys([*_structs([*bodies, Problem])]))
    refs, components = msgspec.json.schema_components(structs, ref_template=_REF)
    ref_of = {struct: ref for struct, ref in zip(structs, refs, strict=True)}
    for struct, ref in ref_of.items():
        schema = components[ref["$ref"].rsplit("/", 1)[1]]
        if "description" in schema:
            schema["description"] = inspect.cleandoc(schema["description"])
        schema.update(getattr(struct, "json_schema_extra", None) or {})
    document.setdefault("components", {}).setdefault("schemas", {}).update(components)
    for op in operations:
        for parameter in op.spec.get("parameters", []):
            if parameter.get("in") == "header":
                parameter["schema"] = _never_null(parameter.get("schema", {}))
        if op.body is not None:
            op.spec["requestBody"]["content"]["application/json"]["schema"] = ref_of[op.body]
        if op.method != "GET":
            for status, answer in op.spec["responses"].items():
                if status.startswith("2"):
                    answer.setdefault("headers", {}).update(_WRITTEN)
        op.spec["responses"].update(_errors(op, ref_of[Problem]))
        op.spec["responses"].get("204", {}).pop("content", None)  # Litestar gives Response[None] a JSON body
    _drop_unused_components(document)
    return document


def _operations(document: dict[str, Any], routes: Sequence[Any]) -> Iterator[_Operation]:
    paths = document.get("paths", {})
    for router in routes:
        if not isinstance(router, Router):
            continue  # the operations endpoints: plain handlers with their own bodies, no problems
        of_area = router.opt.get(AREA, Area())
        for route in router.routes:
            if not isinstance(route, HTTPRoute):
                continue
            for handler in route.route_handlers:
                for method in sorted(handler.http_methods):
                    spec = paths.get(route.path_format or "/", {}).get(method.lower())
                    if spec is None:
                        continue  # not in the document (OPTIONS, HEAD)
                    data = handler.parsed_fn_signature.parameters.get("data")
                    body = data.annotation if data is not None else None
                    if body is not None and not (isinstance(body, type) and issubclass(body, msgspec.Struct)):
                        body = None
                    guarded = bool(router.guards or handler.guards)
                    yield _Operation(spec, route.path_format, method, handler, guarded, of_area, body)


def _errors(op: _Operation, problem_ref: dict[str, str]) -> dict[str, dict[str, Any]]:
    params = set(op.handler.parsed_fn_signature.parameters)
    signed_in = op.guarded or bool(params & _CALLER)
    command = bool(params & _COMMAND)
    statuses = {400, 401, 422, 503}
    if signed_in:
        statuses.add(403)
    if "{" in op.path or (op.body is not None and _names_an_id(op.body)):
        statuses.add(404)
    if command or (op.area.conflicts and op.method != "GET"):
        statuses.add(409)
    if op.area.people:
        statuses.add(410)
    if op.body is not None:
        statuses.add(413)
    if command and op.area.restricted:
        statuses.add(423)
    answers = {}
    for status in sorted(statuses):
        description = _ANSWERS[status] if status != 401 or signed_in else _SIGN_IN_REFUSED
        answer: dict[str, Any] = {"description": description, "content": {MEDIA_TYPE: {"schema": problem_ref}}}
        if status in _HEADERS:
            answer["headers"] = _HEADERS[status]
        answers[str(status)] = answer
    return answers


def _never_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A header's schema without the ``null`` Litestar gives an optional one: it is absent, never null.

    (A query parameter keeps it: Litestar reads ``?day=null`` as no day.)
    """
    choices = [choice for choice in schema.get("oneOf", ()) if choice != {"type": "null"}]
    if "oneOf" not in schema or len(choices) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "oneOf"}
    return {**choices[0], **rest}


def _walk(types: Sequence[Any]) -> Iterator[msgspec.inspect.Type]:
    """Every type inside ``types``, each struct once."""
    seen: set[type] = set()
    pending: list[msgspec.inspect.Type] = list(msgspec.inspect.multi_type_info(types))
    while pending:
        node = pending.pop()
        if isinstance(node, msgspec.inspect.StructType):
            if node.cls in seen:
                continue
            seen.add(node.cls)
            pending.extend(field.type for field in node.fields)
        elif isinstance(node, msgspec.inspect.Metadata):
            pending.append(node.type)
        elif isinstance(node, msgspec.inspect.CollectionType):
            pending.append(node.item_type)
        elif isinstance(node, msgspec.inspect.TupleType):
            pending.extend(node.item_types)
        elif isinstance(node, msgspec.inspect.DictType):
            pending.extend((node.key_type, node.value_type))
        elif isinstance(node, msgspec.inspect.UnionType):
            pending.extend(node.types)
        yield node


def _structs(types: Sequence[Any]) -> Iterator[type[msgspec.Struct]]:
    """``types`` first, then every struct inside them (so that each one's schema can be found)."""
    yield from types
    for node in _walk(types):
        if isinstance(node, msgspec.inspect.StructType):
            yield node.cls


def _names_an_id(body: type[msgspec.Struct]) -> bool:
    return any(isinstance(node, msgspec.inspect.UUIDType) for node in _walk([body]))


def _drop_unused_components(document: dict[str, Any]) -> None:
    """Remove the schemas nothing refers to any more (Litestar's for the request bodies)."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    used: set[str] = set()
    pending = list(_refs(document.get("paths", {})))
    while pending:
        name = pending.pop()
        if name not in used and name in schemas:
            used.add(name)
            pending.extend(_refs(schemas[name]))
    for name in set(schemas) - used:
        del schemas[name]


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)
