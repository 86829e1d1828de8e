"""Sign in and out, the home page of each role, and the language of the interface."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from domain.policy import Role
from service.http.deps import Services
from service.http.session_cookie import forget_session_cookie, session_cookie
from service.staff.accounts import SignInRefusedError
from service.staff.sign_in import open_session
from service.web.errors import NEXT_COOKIE, shown_again
from service.web.kept import FormFieldError, FormFieldErrors, Kept
from service.web.viewer import (
    LANGUAGE_COOKIE,
    NAVIGATION,
    Form,
    Viewer,
    form_of,
    language_of,
    page,
    render,
    safe_next,
)
from service.words.catalogue import language_or_default

_ONE_YEAR = 365 * 24 * 3600


def _language_cookie(language: str) -> Cookie:
    return Cookie(key=LANGUAGE_COOKIE, value=language, max_age=_ONE_YEAR, samesite="strict", path="/", httponly=True)


def _next_of(request: Request[Any, Any, Any], asked: str | None, expired: bool) -> str:
    """The page to go back to after signing in: the one named, or the one the expired session was on."""
    kept = unquote(request.cookies.get(NEXT_COOKIE, "")) if expired else ""
    return safe_next(asked) or safe_next(kept) or ""


def _sign_in_page(
    request: Request[Any, Any, Any], *, expired: bool, next_page: str, kept: Kept | None = None, status: int = 200
) -> Template:
    return render(
        "sign_in.html",
        language=language_of(request),
        title="sign_in.title",
        expired=expired,
        failed=False,
        next=next_page,
        kept=kept,
        status=status,
    )


@get("/ui/sign-in", include_in_schema=False)
async def sign_in_page(
    request: Request[Any, Any, Any], expired: FromQuery[bool] = False, next: FromQuery[str | None] = None
) -> Template:
    return _sign_in_page(request, expired=expired, next_page=_next_of(request, next, expired))


@post("/ui/sign-in", include_in_schema=False)
async def sign_in(request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Response[Any]:
    """A refused sign-in shows the form again with the username typed (never the password) and why."""
    form = await form_of(request)
    username, password = form.get("username", "").strip(), form.get("password", "")
    next_page = safe_next(form.get("next")) or ""
    missing = [FormFieldError(name, f"sign_in.{name}") for name in ("username", "password") if not form.get(name)]
    try:
        if missing:
            raise FormFieldErrors(missing)
        if len(username) > 100 or len(password) > 200:
            raise SignInRefusedError()
        signed_in = await open_session(
            services.accounts,
            services.sessions,
            username,
            password,
            "cookie",
            services.clock(),
            wait=services.sign_in_delay,
        )
    except (SignInRefusedError, FormFieldErrors) as error:
        kept = Kept.after(error, form, form.lists, language_of(request), request.url.path, intro="")
        return _sign_in_page(request, expired=False, next_page=next_page, kept=kept, status=401)
    session = session_cookie(signed_in.session.token, secure=services.secure_cookies)
    cookies = [session, _language_cookie(language_or_default(signed_in.staff.language))]
    # A password the admin set is replaced first: it was told to someone else on the way.
    target = "/ui/password" if signed_in.staff.password_temporary else next_page or "/ui/"
    response: Response[Any] = Redirect(target, status_code=303, cookies=cookies)
    response.delete_cookie(NEXT_COOKIE, path="/ui/sign-in")
    return response


def _password_page(viewer: Viewer, done: bool = False, kept: Kept | None = None) -> Template:
    return page(viewer, "password.html", "password.title", done=done, kept=kept)


@get("/ui/password", include_in_schema=False)
async def password_page(viewer: NamedDependency[Viewer], done: FromQuery[bool] = False) -> Template:
    """Choose one's own password (after the admin set a temporary one, or at any time)."""
    return _password_page(viewer, done)


@post("/ui/password", include_in_schema=False)
async def choose_password(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        current, new = form.get("current_password", ""), form.get("password", "")
        if not current:
            raise FormFieldError("current_password", "blank")
        if new != form.get("password_again", ""):
            raise FormFieldError("password_again", "password_mismatch")
        await services.accounts.choose_password(viewer.principal.staff.staff_id, current, new)
        return Redirect("/ui/password?done=1", status_code=303)

    async def again(kept: Kept) -> Template:
        return _password_page(viewer, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/ui/sign-out", include_in_schema=False)
async def sign_out(viewer: NamedDependency[Viewer], services: NamedDependency[Services]) -> Response[Any]:
    await services.sessions.close(viewer.principal.token)
    response: Response[Any] = Redirect("/ui/sign-in", status_code=303)
    forget_session_cookie(response)
    return response


@post("/ui/language", include_in_schema=False)
async def change_language(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Response[Any]:
    """The staff member's own language (staff.language), kept for the next sign-in too."""
    language = language_or_default((await form_of(request)).get("language"))
    staff = viewer.principal.staff
    if staff.language != language:
        await services.accounts.update(staff.staff_id, staff.version, language=language)
    back = request.headers.get("Referer", "/ui/")
    target = back if back.startswith(str(request.base_url).rstrip("/") + "/ui/") else "/ui/"
    return Redirect(target, status_code=303, cookies=[_language_cookie(language)])


@post("/ui/sign-in/language", include_in_schema=False)
async def sign_in_language(request: Request[Any, Any, Any]) -> Response[Any]:
    language = language_or_default((await form_of(request)).get("language"))
    return Redirect("/ui/sign-in", status_code=303, cookies=[_language_cookie(language)])


@get("/ui", include_in_schema=False)
async def home(viewer: NamedDependency[Viewer]) -> Response[Any]:
    """Each role starts on its own work."""
    for role in Role:
        if viewer.has(role):
            return Redirect(NAVIGATION[role][0][0], status_code=303)
    return Redirect("/ui/sign-in", status_code=303)


@get("/", include_in_schema=False)
async def root() -> Response[Any]:
    return Redirect("/ui", status_code=303)


ROUTES = [
    sign_in_page,
    sign_in,
    password_page,
    choose_password,
    sign_out,
    change_language,
    sign_in_language,
    home,
    root,
]
