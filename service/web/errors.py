"""Errors on pages: the API's status for each error, shown as a page (or an htmx fragment) in the reader's language.

A session that has expired (or was never opened) sends the browser back to the sign-in page
with a message; an htmx request gets ``HX-Redirect`` so that the whole page goes there.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import NotFoundException
from litestar.response import Redirect
from litestar.types import ExceptionHandlersMap

from service.http.problems import EXCEPTION_HANDLERS, RETRY_AFTER_SECONDS, NotSignedInError
from service.http.security import SESSION_COOKIE
from service.web.viewer import language_of, render

_TITLES = {
    400: "error.bad_request",
    403: "error.forbidden",
    404: "error.not_found",
    409: "error.conflict",
    410: "error.erased",
    422: "error.rule_broken",
    423: "error.restricted",
    503: "error.unavailable",
}
_HINTS = {503: "error.unavailable_hint"}


def _api_answer(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """What the JSON API answers for this error (its status and detail), found through the one error map."""
    for kind in type(error).__mro__:
        handler = EXCEPTION_HANDLERS.get(kind)
        if handler is not None:
            answer: Response[Any] = handler(request, error)
            return answer
    raise AssertionError("Exception is always mapped")


def signed_out(request: Request[Any, Any, Any], expired: bool) -> Response[Any]:
    target = "/ui/sign-in?expired=1" if expired else "/ui/sign-in"
    if request.headers.get("HX-Request"):
        return Response(None, status_code=401, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def web_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, NotSignedInError):
        return signed_out(request, expired=bool(request.cookies.get(SESSION_COOKIE)))
    if isinstance(error, msgspec.ValidationError):
        status, detail = 422, str(error)
    else:
        answer = _api_answer(request, error)
        status = answer.status_code or 500
        content = answer.content if isinstance(answer.content, dict) else {}
        detail = str(content.get("detail", "")) if status < 500 else ""
    fragment = bool(request.headers.get("HX-Request"))
    page = render(
        "fragments/error.html" if fragment else "error.html",
        language=language_of(request),
        title=_TITLES.get(status, "error.unexpected"),
        status=status,
        detail=detail,
        hint=_HINTS.get(status, ""),
        code=status,
    )
    if status == 503:
        page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return page


ERROR_HANDLERS: ExceptionHandlersMap = {kind: web_error for kind in EXCEPTION_HANDLERS}
ERROR_HANDLERS[msgspec.ValidationError] = web_error
ERROR_HANDLERS[NotFoundException] = web_error
