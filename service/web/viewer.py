"""Who is looking at a page: the same session and CSRF check as the API, and the pages' rendering.

Pages are signed in with the API's session cookie and checked by ``security.authenticate``.
A change sends the CSRF token either in the ``X-CSRF-Token`` header (htmx requests: the
body carries ``hx-headers``) or in a hidden ``csrf_token`` form field, which is handed to
``authenticate`` as that header, so there is one check for both.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.response import Template
from litestar.types import Guard

from domain.policy import Role
from service.http.deps import services_of
from service.http.guards import requires
from service.http.problems import BadRequestError
from service.http.security import CSRF_HEADER, Principal, authenticate
from service.web.catalogue import Translator, language_or_default

LANGUAGE_COOKIE = "suivi_lang"
"""The language of the pages shown before sign-in (a preference, not personal data)."""
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.SOCIAL_WORKER: [("/ui/caseload", "nav.caseload"), ("/ui/people/search", "nav.search")],
    Role.TRAINER: [("/ui/cohorts", "nav.cohorts")],
    Role.OFFICE_HOURS_HELPER: [("/ui/office-hours", "nav.office_hours"), ("/ui/people/search", "nav.search")],
    Role.DPO: [("/ui/dpo", "nav.dpo"), ("/ui/dpo/record", "nav.record"), ("/ui/dpo/retention", "nav.retention")],
    Role.ADMIN: [("/ui/admin/staff", "nav.staff")],
}


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    csrf_token: str

    @property
    def language(self) -> str:
        return language_or_default(self.principal.staff.language)

    def has(self, *roles: Role) -> bool:
        return any(role in self.principal.staff.roles for role in roles)

    def navigation(self) -> list[tuple[str, str]]:
        links: list[tuple[str, str]] = []
        for role in Role:
            if role in self.principal.staff.roles:
                links += [link for link in NAVIGATION[role] if link not in links]
        return links


async def viewer_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    """Who is looking, authenticated once per request (the role guard and the page share the answer)."""
    known: Viewer | None = connection.state.get("viewer")
    if known is None:
        known = await _authenticate(Request(connection.scope, connection.receive, connection.send))
        connection.state["viewer"] = known
    return known


async def _authenticate(request: Request[Any, Any, Any]) -> Viewer:
    services = services_of(request)
    checked = request
    if request.method not in _SAFE_METHODS and CSRF_HEADER not in request.headers:
        form = await request.form()
        token = str(form.get("csrf_token") or "")
        headers = [*request.scope["headers"], (CSRF_HEADER.lower().encode(), token.encode())]
        checked = Request({**request.scope, "headers": headers, "state": {}})
    now = services.clock()
    principal = await authenticate(checked, services.sessions, services.accounts, now)
    session = await services.sessions.find(principal.token, now)
    return Viewer(principal, "" if session is None else session.csrf_token)


async def _principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return (await viewer_of(connection)).principal


def pages_for(*roles: Role) -> list[Guard]:
    """The guard of an area's pages: another role's pages answer 403 (the data would be refused anyway)."""
    return [requires(*roles, who=_principal)]


async def _viewer(request: Request[Any, Any, Any]) -> Viewer:
    return await viewer_of(request)


async def _form(request: Request[Any, Any, Any]) -> Form:
    return await form_of(request)


VIEWER = {"viewer": Provide(_viewer), "principal": Provide(_principal), "form": Provide(_form)}
"""The pages' dependencies: who is looking (so ``actor`` is the page's signed-in staff member) and the posted form."""


def language_of(request: Request[Any, Any, Any]) -> str:
    return language_or_default(request.cookies.get(LANGUAGE_COOKIE))


def render(
    template: str, *, language: str, title: str, viewer: Viewer | None = None, status: int = 200, **context: Any
) -> Template:
    """A page (or an htmx fragment) in the reader's language. ``title`` is a catalogue key: never personal data."""
    t = Translator(language)
    return Template(
        template_name=template,
        context={"t": t, "lang": t.language, "title": t(title), "viewer": viewer, **context},
        status_code=status,
    )


def page(viewer: Viewer, template: str, title: str, **context: Any) -> Template:
    return render(template, language=viewer.language, title=title, viewer=viewer, **context)


E = TypeVar("E", bound=enum.Enum)


class Form(dict[str, str]):
    """A posted form. A missing or unreadable field is a 400 that names it, never a 500."""

    def __missing__(self, name: str) -> str:
        raise BadRequestError(f"the form field {name} is missing")

    def uuid(self, name: str) -> UUID:
        try:
            return UUID(self.get(name, "").strip())
        except ValueError:
            raise BadRequestError(f"the form field {name} must be an identifier") from None

    def integer(self, name: str, default: int) -> int:
        raw = self.get(name, "").strip()
        try:
            return int(raw) if raw else default
        except ValueError:
            raise BadRequestError(f"the form field {name} must be a whole number") from None

    def choice(self, name: str, kind: type[E], default: str = "") -> E:
        """One of an enumeration's values (e.g. a case domain)."""
        try:
            return kind(self.get(name, default))
        except ValueError:
            raise BadRequestError(f"the form field {name} must be one of the choices offered") from None

    def day(self, name: str) -> date:
        try:
            return date.fromisoformat(self.get(name, "").strip())
        except ValueError:
            raise BadRequestError(f"the form field {name} must be a date (YYYY-MM-DD)") from None


async def form_of(request: Request[Any, Any, Any]) -> Form:
    """The form's fields (the last value of each), without the CSRF token."""
    form = await request.form()
    return Form({k: str(v) for k, v in form.items() if k != "csrf_token"})
