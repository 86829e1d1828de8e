"""Who is looking at a page: the same session and CSRF check as the API, and the pages' rendering.

Pages are signed in with the API's session cookie and checked by ``security.authenticate``.
A change sends the CSRF token either in the ``X-CSRF-Token`` header (htmx requests: the
body carries ``hx-headers``) or in a hidden ``csrf_token`` form field, which is handed to
``authenticate`` as that header, so there is one check for both.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from litestar.types import Guard

from domain.policy import Role
from service.application.context import ApplicationContext
from service.http.deps import Services, services_of
from service.http.guards import requires
from service.http.problems import CsrfError
from service.http.security import CSRF_HEADER, Principal, authenticate
from service.web.kept import FormFieldError, Kept
from service.words.catalogue import language_or_default
from service.words.translator import Translator

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
    try:
        principal = await authenticate(checked, services.sessions, services.accounts, now)
    except CsrfError:
        # The session is good, the page was stale: the error page still shows the navigation.
        safe: Request[Any, Any, Any] = Request({**request.scope, "method": "GET", "state": {}})
        principal = await authenticate(safe, services.sessions, services.accounts, now)
        request.scope.setdefault("state", {})["viewer"] = await _viewer_of_session(principal, now, services)
        raise
    return await _viewer_of_session(principal, now, services)


async def _viewer_of_session(principal: Principal, now: datetime, services: Services) -> Viewer:
    session = await services.sessions.find(principal.token, now)
    return Viewer(principal, "" if session is None else session.csrf_token)


async def _principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return (await viewer_of(connection)).principal


def pages_for(*roles: Role) -> list[Guard]:
    """The guard of an area's pages: another role's pages answer 403 (the data would be refused anyway)."""
    return [requires(*roles, who=_principal)]


async def _viewer(services: NamedDependency[Services], request: Request[Any, Any, Any]) -> Viewer:
    return await viewer_of(request)


def _page_principal(viewer: NamedDependency[Viewer]) -> Principal:
    return viewer.principal


async def _form(ctx: NamedDependency[ApplicationContext], request: Request[Any, Any, Any]) -> Form:
    return await form_of(request)


# One chain, as the API's (``service.http.deps``): services, viewer, principal, actor, ctx, form.
VIEWER = {
    "viewer": Provide(_viewer),
    "principal": Provide(_page_principal, sync_to_thread=False),
    "form": Provide(_form),
}
"""The pages' dependencies: who is looking (so ``actor`` is the page's signed-in staff member) and the posted form."""


def language_of(request: Request[Any, Any, Any]) -> str:
    return language_or_default(request.cookies.get(LANGUAGE_COOKIE))


def render(
    template: str, *, language: str, title: str, viewer: Viewer | None = None, status: int = 200, **context: Any
) -> Template:
    """A page (or an htmx fragment) in the reader's language. ``title`` is a catalogue key: never personal data.

    Every page has a ``kept`` form (``service.web.kept``): the one that came back with errors, or none.
    """
    t = Translator(language)
    kept = context.pop("kept", None) or Kept(t.language)
    return Template(
        template_name=template,
        context={"t": t, "lang": t.language, "title": t(title), "viewer": viewer, "kept": kept, **context},
        status_code=status,
    )


def page(viewer: Viewer, template: str, title: str, **context: Any) -> Template:
    return render(template, language=viewer.language, title=title, viewer=viewer, **context)


def safe_next(path: str | None) -> str | None:
    """A page of this site to go back to after signing in: a path under /ui/, never another site's address."""
    if not path or len(path) > 500 or "\\" in path or any(ord(c) < 32 for c in path):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/ui/") or parts.path.startswith("/ui/sign-"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


E = TypeVar("E", bound=enum.Enum)

NAME_LENGTH, SHORT_LENGTH, LONG_LENGTH = 100, 280, 10_000
"""The longest name, short text and long text a page accepts: the API's (``service/http/wire.py``)."""
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_day(text: str) -> date | None:
    """A date as people type it: 31/12/1990, 31-12-1990, 31.12.1990 or 1990-12-31; None if it is none of them."""
    text = text.strip()
    if found := _DAY_FIRST.match(text):
        day, month, year = (int(n) for n in found.groups())
    elif found := _YEAR_FIRST.match(text):
        year, month, day = (int(n) for n in found.groups())
    else:
        return None
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


class Form(dict[str, str]):
    """A posted form (the last value of each field). A missing or unreadable field is a 400 that names it.

    ``lists`` holds every value of fields sent several times (check boxes), ``token`` the form's
    one-time token (``static/suivi.js``), which makes a resubmission write nothing twice.
    """

    def __init__(
        self,
        fields: dict[str, str],
        lists: dict[str, list[str]] | None = None,
        token: str = "",
        request: Request[Any, Any, Any] | None = None,
    ) -> None:
        super().__init__(fields)
        self.lists = lists or {k: [v] for k, v in fields.items()}
        self.token = token if _TOKEN.match(token) else ""
        self.request = request
        """The request the form came with (to show the page again after an error)."""

    def __missing__(self, name: str) -> str:
        raise FormFieldError(name, "missing")

    def key(self, viewer: Viewer, part: str = "") -> str | None:
        """The idempotency key of the command this form sends (None without a token): the same form sent
        twice is one command. ``part`` tells apart the commands of one form (register, then check in)."""
        if not self.token:
            return None
        return f"page:{viewer.principal.staff.staff_id}:{self.token}" + (f":{part}" if part else "")

    def text(self, name: str, limit: int = SHORT_LENGTH, *, required: bool = False) -> str:
        """Typed text, stripped; too long (or blank, when ``required``) is the person's to correct."""
        value = self.get(name, "").strip()
        if len(value) > limit:
            raise FormFieldError(name, "too_long", limit=limit)
        if required and not value:
            raise FormFieldError(name, "blank")
        return value

    def uuid(self, name: str) -> UUID:
        try:
            return UUID(self.get(name, "").strip())
        except ValueError:
            raise FormFieldError(name, "identifier") from None

    def integer(self, name: str, default: int, *, low: int = 0, high: int = 10_000) -> int:
        raw = self.get(name, "").strip()
        try:
            value = int(raw) if raw else default
        except ValueError:
            raise FormFieldError(name, "number") from None
        if not low <= value <= high:
            raise FormFieldError(name, "number")
        return value

    def choice(self, name: str, kind: type[E], default: str = "") -> E:
        """One of an enumeration's values (e.g. a case domain)."""
        return self.one_of(name, kind, self.get(name, default))

    def one_of(self, name: str, kind: type[E], value: str) -> E:
        try:
            return kind(value)
        except ValueError:
            raise FormFieldError(name, "choice") from None

    def choices(self, name: str, kind: type[E]) -> list[E]:
        """Every box ticked under ``name``, each one of the enumeration's values."""
        return [self.one_of(name, kind, value) for value in self.lists.get(name, []) if value]

    def day(self, name: str) -> date:
        found = parse_day(self.get(name, ""))
        if found is None:
            raise FormFieldError(name, "date")
        return found

    def optional_day(self, name: str) -> date | None:
        return self.day(name) if self.get(name, "").strip() else None


async def form_of(request: Request[Any, Any, Any]) -> Form:
    """The form's fields (the last value of each), without the CSRF token and the one-time token."""
    form = await request.form()
    lists: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if name not in ("csrf_token", "form_token"):
            lists.setdefault(name, []).append(str(value))
    return Form({k: v[-1] for k, v in lists.items()}, lists, str(form.get("form_token") or ""), request)
