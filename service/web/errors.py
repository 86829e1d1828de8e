"""Errors on pages: the API's status for each error, said in the reader's language, inside the normal layout.

Two ways, as in the GOV.UK Design System:

- a form where a person types comes back with what was typed, the message next to its field and a
  summary at the top (``shown_again``, called by the page handlers around their command);
- any other error is a page of its own (or an htmx fragment) with the navigation, whose words
  come from the catalogue (``service/words/locale``); a 500 says only that something went wrong on our side.

A session that has expired (or was never opened) sends the browser back to the sign-in page
with a message, remembering the page the person was on (the ``suivi_next`` cookie: a path of
this site, ids only, never personal data); an htmx request gets ``HX-Redirect`` so that the
whole page goes there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from service.http.deps import services_of
from service.http.problems import EXCEPTION_HANDLERS, RETRY_AFTER_SECONDS, CsrfError, NotSignedInError
from service.http.security import SESSION_COOKIE
from service.web.kept import Kept, wording
from service.web.viewer import Form, Viewer, language_of, render, safe_next

NEXT_COOKIE = "suivi_next"
"""Where to go back after signing in again: a path of this site, kept for an hour, sent only to the sign-in page."""

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
SHOWN_IN_THE_FORM = frozenset({400, 403, 409, 422, 423})
"""Answers a person can act on from the form itself: it comes back with their text and the message."""


def _api_answer(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """What the JSON API answers for this error (its status and detail), found through the one error map."""
    for kind in type(error).__mro__:
        handler = EXCEPTION_HANDLERS.get(kind)
        if handler is not None:
            answer: Response[Any] = handler(request, error)
            return answer
    raise AssertionError("Exception is always mapped")


def status_of(request: Request[Any, Any, Any], error: Exception) -> int:
    if isinstance(error, msgspec.ValidationError):
        return 422
    return _api_answer(request, error).status_code or 500


def _page_left(request: Request[Any, Any, Any]) -> str | None:
    """The page the person was on: this address (a page asked for), or the page the form or htmx call came from."""
    if request.headers.get("HX-Request"):
        return _same_site(request, request.headers.get("HX-Current-URL"))
    if request.method == "GET":
        query = request.url.query
        return safe_next(request.url.path + (f"?{query}" if query else ""))
    return _same_site(request, request.headers.get("Referer"))


def _same_site(request: Request[Any, Any, Any], address: str | None) -> str | None:
    if not address:
        return None
    parts, here = urlsplit(address), urlsplit(str(request.base_url))
    if parts.netloc and parts.netloc != here.netloc:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def signed_out(request: Request[Any, Any, Any], expired: bool) -> Response[Any]:
    target = "/ui/sign-in?expired=1" if expired else "/ui/sign-in"
    response: Response[Any]
    if request.headers.get("HX-Request"):
        response = Response(None, status_code=401, headers={"HX-Redirect": target})
    else:
        response = Redirect(target, status_code=303)
    left = _page_left(request) if expired else None
    if left is not None:
        secure = services_of(request).secure_cookies
        cookie = Cookie(
            key=NEXT_COOKIE,
            value=quote(left, safe=""),
            path="/ui/sign-in",
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=secure,
        )
        response.cookies.append(cookie)
    return response


def web_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, NotSignedInError):
        return signed_out(request, expired=bool(request.cookies.get(SESSION_COOKIE)))
    status = status_of(request, error)
    viewer: Viewer | None = request.scope.get("state", {}).get("viewer")
    language = viewer.language if viewer is not None else language_of(request)
    hint = _HINTS.get(status, "")
    message = "" if hint else wording(error if status < 500 else Exception(), language, status)
    fragment = bool(request.headers.get("HX-Request"))
    page = render(
        "fragments/error.html" if fragment else "error.html",
        language=language,
        title=_TITLES.get(status, "error.unexpected"),
        viewer=viewer,
        status=status,
        message=message,
        hint=hint,
        code=status,
    )
    if status == 503:
        page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return page


async def shown_again(
    form: Form,
    viewer: Viewer,
    attempt: Callable[[], Awaitable[Response[Any]]],
    again: Callable[[Kept], Awaitable[Template]],
) -> Response[Any]:
    """Run the form's command; if the person can correct what went wrong, show the form again.

    ``again`` renders the page the form is on with the ``Kept`` form (what was typed and the
    messages), with the error's status. Anything else (or a page that cannot be shown again)
    goes to the error page.
    """
    try:
        return await attempt()
    except Exception as error:
        request = form.request
        if request is None or isinstance(error, NotSignedInError | CsrfError):
            raise
        status = status_of(request, error)
        if status not in SHOWN_IN_THE_FORM:
            raise
        kept = Kept.after(error, form, form.lists, viewer.language, request.url.path)
        try:
            shown = await again(kept)
        except Exception:
            raise error from None
        shown.status_code = status
        return shown


ERROR_HANDLERS: ExceptionHandlersMap = {kind: web_error for kind in EXCEPTION_HANDLERS}
ERROR_HANDLERS[msgspec.ValidationError] = web_error
ERROR_HANDLERS[NotFoundException] = web_error
