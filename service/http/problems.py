"""Every error a client can cause, mapped once to an RFC 9457 problem (application/problem+json).

    ValidationException (litestar)         422 invalid-request   errors: [{field, message}]
    malformed body, bad path or header     400 bad-request
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
    DomainError (any other rule)           422 rule-broken
    IdempotencyKeyReusedError              422 idempotency-key-reused
    the database lost or unreachable       503 unavailable       Retry-After (logged by type only)
    anything else                          500 internal-error    (logged by type only)

Details name fields, ids and rules, never personal data.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap, Scope

from domain.errors import DomainError
from domain.person import LegalHoldError, PersonErasedError, ProcessingRestrictedError
from service.application.errors import NotAuthorisedError
from service.gdpr.erasure import ErasureRefusedError
from service.gdpr.receipts import PersonErasedGoneError
from service.staff.accounts import SignInRefusedError, StaffNotFoundError, StaleStaffVersionError, UsernameTakenError
from service.staff.passwords import WeakPasswordError
from service.storage.eventstore.records import ConcurrencyError, IdempotencyKeyReusedError
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


def problem(status: int, slug: str, title: str, detail: str, **extensions: Any) -> Response[dict[str, Any]]:
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail, **extensions}
    return Response(body, status_code=status, media_type=MEDIA_TYPE)


def _validation(_: Request[Any, Any, Any], error: ValidationException) -> Response[dict[str, Any]]:
    errors = [
        {"field": item.get("key") or "body", "source": item.get("source"), "message": item.get("message")}
        for item in (error.extra if isinstance(error.extra, list) else [])
        if isinstance(item, dict)
    ]
    if not errors:
        return problem(400, "bad-request", "Bad request", str(error.detail))
    fields = ", ".join(str(e["field"]) for e in errors)
    return problem(422, "invalid-request", "Invalid request", f"invalid field(s): {fields}", errors=errors)


def _http(_: Request[Any, Any, Any], error: HTTPException) -> Response[dict[str, Any]]:
    titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 413: "Request too large"}
    status = error.status_code
    slug = titles.get(status, "error").lower().replace(" ", "-")
    return problem(status, slug, titles.get(status, "Error"), str(error.detail))


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
    OSError,  # refused, reset, no socket, timed out
)
"""What a lost or unreachable database raises: the request may be tried again shortly."""


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
    DomainError: _simple(422, "rule-broken", "Not possible"),
    **dict.fromkeys(DATABASE_UNAVAILABLE, _unavailable),
    Exception: _unexpected,
}
