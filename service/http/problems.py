"""Every error a client can cause, mapped once to an RFC 9457 problem (application/problem+json).

    ValidationException (litestar)         422 invalid-request   errors: [{field, source, message}]
    malformed body, bad path or header     400 bad-request
    an unsupported method                  405 method-not-allowed  Allow
    NotSignedInError                       401 not-signed-in
    SignInRefusedError                     401 sign-in-refused
    NotAuthorisedError, CsrfError, ...     403 forbidden
    AggregateNotFoundError, Staff...       404 not-found
    ConcurrencyError, StaleStaffVersion    409 conflict          current_version
    UsernameTakenError                     409 conflict
    ErasureRefusedError                    409 legal-hold        legal_holds: [{hold_id, basis}]
    LegalHoldError (any other)             409 legal-hold
    PersonErasedGoneError                  410 erased            receipt_id
    AggregateErased, PersonErased, ...     410 erased            receipt_id (found by find_erasure_receipt)
    ProcessingRestrictedError              423 restricted
    InvalidValueError naming its field     422 rule-broken       errors: [{field, source, message}]
    DomainError (any other rule)           422 rule-broken
    IdempotencyKeyReusedError              422 idempotency-key-reused
    the database lost or unreachable,      503 unavailable       Retry-After (logged by type only)
    TransientStoreError (deadlock, ...)
    anything else                          500 internal-error    (logged by type only)

Details name fields, ids and rules, never personal data. :class:`Problem` is the shape of
every body, as the OpenAPI document states it (``service/http/openapi.py``).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap, Scope

from domain.errors import DomainError, InvalidValueError
from domain.person import LegalHoldError, PersonErasedError, ProcessingRestrictedError
from service.application.errors import NotAuthorisedError
from service.gdpr.erasure import ErasureRefusedError
from service.staff.accounts import SignInRefusedError, StaffNotFoundError, StaleStaffVersionError, UsernameTakenError
from service.staff.passwords import WeakPasswordError
from service.storage.erasures import PersonErasedGoneError
from service.storage.eventstore.records import ConcurrencyError, IdempotencyKeyReusedError, TransientStoreError
from service.storage.keys.subject_keys import SubjectErasedError
from service.storage.repository import AggregateErasedError, AggregateNotFoundError

log = logging.getLogger("suivi.http")
MEDIA_TYPE = "application/problem+json"


class NotSignedInError(Exception):
    def __init__(self, detail: str = "sign in first") -> None:
        super().__init__(detail)


class CsrfError(Exception):
    def __init__(self) -> None:
        super().__init__("the X-CSRF-Token header is missing or does not match the session")


class ForbiddenError(Exception):
    """Refused for a reason that is not a data category (e.g. only the admin manages accounts)."""


class BadRequestError(Exception):
    """A header or parameter the client sent cannot be used. The message names it."""


class FieldProblem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One field to blame: its name, where it was sent, and what is wrong with it."""

    field: str
    source: Literal["body", "query", "path", "header", "cookie"] | None
    message: str | None


class HeldBy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    hold_id: UUID
    basis: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An RFC 9457 problem: what every error answer holds (``application/problem+json``).

    Only the extensions listed here ever appear; each comes with the problems that have it.
    """

    type: Annotated[str, msgspec.Meta(pattern=r"^/problems/[a-z-]+$", examples=["/problems/not-found"])]
    title: str
    status: Annotated[int, msgspec.Meta(ge=400, le=599)]
    detail: str
    errors: list[FieldProblem] | msgspec.UnsetType = msgspec.UNSET
    """invalid-request and rule-broken: each field to blame."""
    current_version: int | msgspec.UnsetType = msgspec.UNSET
    """conflict: the version to send in If-Match after reading the current state again."""
    receipt_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    """erased: the erasure receipt, when one was found."""
    legal_holds: list[HeldBy] | msgspec.UnsetType = msgspec.UNSET
    """legal-hold on an erasure: the holds that refuse it."""


def problem(status: int, slug: str, title: str, detail: str, **extensions: Any) -> Response[dict[str, Any]]:
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail, **extensions}
    return Response(body, status_code=status, media_type=MEDIA_TYPE)


_HEADERS = {"key": "Idempotency-Key", "if_match": "If-Match"}
"""Litestar names a header by the parameter that takes it (``service.http.deps``, the command handlers)."""


def _field(item: dict[str, Any]) -> str:
    key = str(item.get("key") or "body")
    return _HEADERS.get(key, key) if item.get("source") == "header" else key


def _validation(_: Request[Any, Any, Any], error: ValidationException) -> Response[dict[str, Any]]:
    errors = [
        {"field": _field(item), "source": item.get("source"), "message": item.get("message")}
        for item in (error.extra if isinstance(error.extra, list) else [])
        if isinstance(item, dict)
    ]
    if not errors:
        return problem(400, "bad-request", "Bad request", str(error.detail))
    fields = ", ".join(str(e["field"]) for e in errors)
    return problem(422, "invalid-request", "Invalid request", f"invalid field(s): {fields}", errors=errors)


_HTTP_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    415: "Unsupported media type",
}


def _http(_: Request[Any, Any, Any], error: HTTPException) -> Response[dict[str, Any]]:
    """Litestar's own refusals; their headers stay (a 405 lists the methods the path has in ``Allow``)."""
    status = error.status_code
    title = _HTTP_TITLES.get(status, "Error")
    response = problem(status, title.lower().replace(" ", "-"), title, str(error.detail))
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


def _rule_broken(request: Request[Any, Any, Any], error: DomainError) -> Response[dict[str, Any]]:
    """A rule of the domain; when one field is to blame, it is named as a validation error names it."""
    field = error.field if isinstance(error, InvalidValueError) else None
    if field is None:
        return problem(422, "rule-broken", "Not possible", str(error))
    source = "query" if field in request.query_params else "body"
    blamed = [{"field": field, "source": source, "message": str(error)}]
    return problem(422, "rule-broken", "Not possible", str(error), errors=blamed)


def _simple(status: int, slug: str, title: str) -> Any:
    def handle(_: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
        return problem(status, slug, title, str(error))

    return handle


def _conflict(_: Request[Any, Any, Any], error: ConcurrencyError | StaleStaffVersionError) -> Response[dict[str, Any]]:
    current = error.actual if isinstance(error, ConcurrencyError) else error.current
    response = problem(409, "conflict", "Changed meanwhile", str(error), current_version=current)
    response.headers["ETag"] = f'"{current}"'
    return response


def _weak_password(_: Request[Any, Any, Any], error: WeakPasswordError) -> Response[dict[str, Any]]:
    return problem(
        422,
        "invalid-request",
        "Invalid request",
        str(error),
        errors=[{"field": "password", "source": "body", "message": str(error)}],
    )


def _refused(_: Request[Any, Any, Any], error: ErasureRefusedError) -> Response[dict[str, Any]]:
    holds = [{"hold_id": str(h.hold_id), "basis": str(h.basis)} for h in error.holds]
    return problem(409, "legal-hold", "Under a legal hold", str(error), legal_holds=holds)


_RECEIPT = "suivi.erasure_receipt_id"
_RECEIPT_OF = """SELECT receipt_id FROM erasure_receipts
    WHERE person_id = $1 OR person_id = (SELECT subject_id FROM events WHERE stream_id = $1 LIMIT 1) LIMIT 1"""


async def find_erasure_receipt(error: Exception, scope: Scope) -> None:
    """``after_exception`` hook: the receipt of the erased person behind an erased aggregate or subject.

    Exception handlers are synchronous, so the lookup happens here and the id waits in the
    request's state for ``_erased``. A failed lookup only leaves the receipt out.
    """
    erased_id = error.aggregate_id if isinstance(error, AggregateErasedError) else None
    erased_id = error.subject_id if isinstance(error, SubjectErasedError) else erased_id
    services = getattr(scope["app"].state, "services", None)
    if erased_id is None or services is None:
        return
    try:
        async with services.runtime.pool.acquire() as db:
            receipt_id = await db.fetchval(_RECEIPT_OF, erased_id)
    except Exception:
        log.warning("no erasure receipt lookup", extra={"event": "receipt_lookup_failed"})
        return
    if receipt_id is not None:
        scope.setdefault("state", {})[_RECEIPT] = receipt_id


def _erased(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    receipt_id: UUID | None = (
        error.receipt_id if isinstance(error, PersonErasedGoneError) else request.scope.get("state", {}).get(_RECEIPT)
    )
    return problem(410, "erased", "Erased", str(error), receipt_id=None if receipt_id is None else str(receipt_id))


RETRY_AFTER_SECONDS = 5

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,  # shutting down, starting up, cancelled
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,  # the connection was closed under us
    asyncpg.InternalClientError,  # the pool was closed under us (shutdown)
    ConnectionError,  # refused, reset
    FileNotFoundError,  # the server's Unix socket is gone (the embedded server is stopped)
    TimeoutError,  # no connection to be had in time
    TransientStoreError,  # a deadlock or serialization failure that outlived the command's retries
)
"""What a lost or unreachable database raises: the request may be tried again shortly.

Other I/O errors (a full disk, a permission refused) are not the database's and answer 500.
"""


def _unavailable(_: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    log.warning("database unavailable", extra={"event": "database_unavailable", "error_type": type(error).__name__})
    response = problem(503, "unavailable", "Service unavailable", "the service is briefly unavailable; try again")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    log.error("unexpected error", extra={"event": "internal_error", "error_type": type(error).__name__})
    return problem(500, "internal-error", "Internal error", "something went wrong on our side; it has been logged")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: _validation,
    HTTPException: _http,
    BadRequestError: _simple(400, "bad-request", "Bad request"),
    NotSignedInError: _simple(401, "not-signed-in", "Not signed in"),
    SignInRefusedError: _simple(401, "sign-in-refused", "Sign-in refused"),
    NotAuthorisedError: _simple(403, "forbidden", "Not allowed"),
    CsrfError: _simple(403, "forbidden", "Not allowed"),
    ForbiddenError: _simple(403, "forbidden", "Not allowed"),
    AggregateNotFoundError: _simple(404, "not-found", "Not found"),
    StaffNotFoundError: _simple(404, "not-found", "Not found"),
    ConcurrencyError: _conflict,
    StaleStaffVersionError: _conflict,
    UsernameTakenError: _simple(409, "conflict", "Conflict"),
    ErasureRefusedError: _refused,
    LegalHoldError: _simple(409, "legal-hold", "Under a legal hold"),
    PersonErasedGoneError: _erased,
    AggregateErasedError: _erased,
    PersonErasedError: _erased,
    SubjectErasedError: _erased,
    ProcessingRestrictedError: _simple(423, "restricted", "Processing restricted"),
    IdempotencyKeyReusedError: _simple(422, "idempotency-key-reused", "Idempotency key reused"),
    WeakPasswordError: _weak_password,
    DomainError: _rule_broken,
    **dict.fromkeys(DATABASE_UNAVAILABLE, _unavailable),
    Exception: _unexpected,
}
