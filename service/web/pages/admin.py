"""Admin: staff accounts, their roles and site, and a way back in (the admin sees no beneficiary data at all).

The list shows every account and its state; each account has a page of its own, where the
admin changes its roles, site and status, sets a temporary password or lifts a lock-out.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.policy import Role
from service.application import staff as accounts
from service.application.context import ApplicationContext
from service.application.staff import ChangeStaff, CreateStaff, ResetPassword
from service.web.errors import shown_again
from service.web.kept import Checks, FormFieldError, Kept
from service.web.viewer import NAME_LENGTH, Form, Viewer, page, pages_for

_USERNAME = re.compile(r"^[a-z0-9._-]{2,50}$")
_LIST_DONE = ("created",)
_ACCOUNT_DONE = ("changed", "password_reset", "unlocked")


async def _staff_page(viewer: Viewer, ctx: ApplicationContext, done: str = "", kept: Kept | None = None) -> Template:
    members = await accounts.list_staff(ctx, viewer.principal.actor)
    return page(
        viewer,
        "admin/staff.html",
        "admin.title",
        members=members,
        roles=list(Role),
        sites=ctx.centre.sites,
        done=done if done in _LIST_DONE else "",
        kept=kept,
    )


async def _account_page(
    viewer: Viewer, ctx: ApplicationContext, staff_id: UUID, done: str = "", kept: Kept | None = None
) -> Template:
    account = await accounts.staff_account(ctx, viewer.principal.actor, staff_id)
    names = {m.staff_id: m.display_name for m in await accounts.list_staff(ctx, viewer.principal.actor)}
    return page(
        viewer,
        "admin/account.html",
        "admin.account_title",
        account=account.staff,
        history=account.history,
        names=names,
        own=staff_id == viewer.principal.staff.staff_id,
        roles=list(Role),
        sites=ctx.centre.sites,
        done=done if done in _ACCOUNT_DONE else "",
        kept=kept,
    )


@get("/", include_in_schema=False)
async def staff_list(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], done: FromQuery[str] = ""
) -> Template:
    return await _staff_page(viewer, ctx, done)


def _site_of(form: Form, sites: tuple[str, ...]) -> str | None:
    """The site chosen in the list ("" is the main site); one that is not in the list names the field."""
    chosen = form.get("site", "")
    if chosen and chosen not in sites:
        raise FormFieldError("site", "choice")
    return chosen or None


def _creation(form: Form, sites: tuple[str, ...]) -> CreateStaff:
    """The new account as typed; every field that cannot be used is named at once."""
    check = Checks()
    username = form.get("username", "").strip().lower()
    if not _USERNAME.match(username):
        check.problems.append(FormFieldError("username", "username"))
    display_name = check(lambda name: form.text(name, NAME_LENGTH, required=True), "display_name")
    check(lambda name: form.text(name, 200, required=True), "password")
    roles = check(lambda name: form.choices(name, Role), "roles")
    if roles == []:
        check.problems.append(FormFieldError("roles", "choice"))
    site = check(lambda _: _site_of(form, sites), "site")
    check.done()
    return CreateStaff(
        username=username,
        display_name=display_name or "",
        password=form.get("password", ""),
        roles=roles or [],
        language="en" if form.get("language") == "en" else "fr",
        site=site,
    )


@post("/", include_in_schema=False)
async def create(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        await accounts.create_staff(ctx, viewer.principal.actor, _creation(form, ctx.centre.sites))
        return Redirect("/ui/admin/staff?done=created", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _staff_page(viewer, ctx, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@get("/{staff_id:uuid}", include_in_schema=False)
async def account_page(
    staff_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    return await _account_page(viewer, ctx, staff_id, done)


def _account_url(staff_id: UUID, done: str) -> str:
    return f"/ui/admin/staff/{staff_id}?done={done}"


@post("/{staff_id:uuid}", include_in_schema=False)
async def change(
    staff_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        roles = form.choices("roles", Role) or None  # none ticked: the roles stay as they are
        site = _site_of(form, ctx.centre.sites) if "site" in form else msgspec.UNSET
        changing = ChangeStaff(staff_id=staff_id, roles=roles, active=form.get("active") == "on", site=site)
        await accounts.change_staff(ctx, viewer.principal.actor, changing)
        return Redirect(_account_url(staff_id, "changed"), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _account_page(viewer, ctx, staff_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/{staff_id:uuid}/password", include_in_schema=False)
async def reset_password(
    staff_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A temporary password, to give the person; their open sessions end."""

    async def attempt() -> Response[Any]:
        password = form.text("password", 200, required=True)
        await accounts.reset_password(ctx, viewer.principal.actor, ResetPassword(staff_id=staff_id, password=password))
        return Redirect(_account_url(staff_id, "password_reset"), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _account_page(viewer, ctx, staff_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/{staff_id:uuid}/unlock", include_in_schema=False)
async def unlock(
    staff_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        await accounts.unlock_staff(ctx, viewer.principal.actor, staff_id)
        return Redirect(_account_url(staff_id, "unlocked"), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _account_page(viewer, ctx, staff_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


ROUTES = [
    Router(
        "/ui/admin/staff",
        route_handlers=[staff_list, create, account_page, change, reset_password, unlock],
        guards=pages_for(Role.ADMIN),
    )
]
