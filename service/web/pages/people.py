"""People: the file, its break-glass and its consents (finding and registering people: ``registration``).

The file is the case-file view (``views.case_file``), filtered by the access policy and
recorded; a social worker outside their caseload gives a written reason (break-glass).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.case import CaseDomain, CaseOutcome
from domain.consent import Body, Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.policy import Role
from service.application.consent import GiveConsent, WithdrawConsent, give_consent, withdraw_consent
from service.application.context import ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views.case_file import Entry, case_file
from service.application.views.people import person_card
from service.web.errors import shown_again
from service.web.kept import Checks, Kept
from service.web.viewer import NAME_LENGTH, SHORT_LENGTH, Form, Viewer, form_of, page, pages_for
from service.words.translator import Translator


def reading_purpose(viewer: Viewer) -> ReadPurpose:
    return ReadPurpose.FOLLOW_UP if viewer.has(Role.SOCIAL_WORKER) else ReadPurpose.OFFICE_HOURS


async def file_page(
    ctx: ApplicationContext, viewer: Viewer, person_id: UUID, reason: str | None, kept: Kept | None = None
) -> Template:
    """The person's file; ``kept`` is the form that came back with an error, if any."""
    actor, purpose = viewer.principal.actor, reading_purpose(viewer)
    card = await person_card(ctx, actor, person_id, purpose)
    timeline = await case_file(ctx, actor, person_id, purpose, reason)
    colleagues = [
        member
        for member in await ctx.accounts.all()
        if member.active and Role.SOCIAL_WORKER in member.roles and member.staff_id != actor.staff_id
    ]
    return page(
        viewer,
        "people/file.html",
        "file.title",
        card=card,
        file=timeline,
        cases=cases_of(timeline.entries),
        domains=list(CaseDomain),
        outcomes=list(CaseOutcome),
        purposes=list(Purpose),
        evidences=list(Evidence),
        organisations=list(OrganisationKind),
        colleagues=colleagues,
        break_glass_reason=reason or "",
        body_words=body_words,
        today=ctx.clock().date(),
        kept=kept,
    )


def cases_of(entries: list[Entry]) -> list[dict[str, Any]]:
    """The person's cases, from the timeline: id, domain, whether it is open, and its follow-ups
    (not done first, soonest due first)."""
    cases: dict[UUID, dict[str, Any]] = {}
    for entry in entries:
        if entry.stream_id is None or not entry.kind.startswith("Case."):
            continue
        case = cases.setdefault(
            entry.stream_id, {"case_id": entry.stream_id, "domain": None, "open": True, "follow_ups": {}}
        )
        body = entry.body
        if entry.kind == "Case.Opened":
            case["domain"] = body.get("domain")
        elif entry.kind in ("Case.Closed", "Case.Reopened"):
            case["open"] = entry.kind == "Case.Reopened"
        elif entry.kind == "Case.FollowUpSet":
            case["follow_ups"][str(body["follow_up_id"])] = {
                "follow_up_id": str(body["follow_up_id"]),
                "due_on": _day(body["due_on"]),
                "description": body.get("description", ""),
                "done_on": None,
            }
        elif entry.kind == "Case.FollowUpDone" and str(body["follow_up_id"]) in case["follow_ups"]:
            case["follow_ups"][str(body["follow_up_id"])]["done_on"] = _day(body["done_on"])
    for case in cases.values():
        case["follow_ups"] = sorted(case["follow_ups"].values(), key=lambda f: (f["done_on"] is not None, f["due_on"]))
    return list(cases.values())


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def body_words(t: Translator, kind: str | None, name: str | None) -> str:
    """An outside body in words: "le CPAS de Liège" when its name says its kind, else "Maître Dupont (avocat)"."""
    to_kind, kind_word = t.of("organisation_to", kind), t.of("organisation", kind)
    if not name:
        return to_kind
    if kind_word.casefold() in name.casefold() and kind_word in to_kind:
        return to_kind.replace(kind_word, name)
    return t("social.body_of_kind", name=name, kind=t.inline("organisation", kind))


@get("/{person_id:uuid}")
async def person_file(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    return await file_page(ctx, viewer, person_id, None)


@get("/{person_id:uuid}/break-glass")
async def break_glass_again(person_id: FromPath[UUID]) -> Response[Any]:
    """Coming back to a break-glass page (after signing in again): the file asks for the reason anew."""
    return Redirect(f"/ui/people/{person_id}", status_code=303)


@post("/{person_id:uuid}/break-glass")
async def break_glass(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    """Reading outside one's caseload, with a written reason (recorded, flagged for the DPO)."""
    form = await form_of(request)
    reason = form.text("reason", SHORT_LENGTH)
    return await file_page(ctx, viewer, person_id, reason)


async def on_the_file(
    form: Form,
    viewer: Viewer,
    ctx: ApplicationContext,
    person_id: UUID,
    command: Callable[[], Awaitable[object]],
    then: str | None = None,
) -> Response[Any]:
    """Run a command of one of the file's forms, then go to ``then`` (the file by default); if it
    cannot be done, show the file again with the form as it was typed and the message."""

    async def attempt() -> Response[Any]:
        await command()
        return Redirect(then or f"/ui/people/{person_id}", status_code=303)

    async def again(kept: Kept) -> Template:
        return await file_page(ctx, viewer, person_id, form.get("break_glass_reason") or None, kept)

    return await shown_again(form, viewer, attempt, again)


@post("/{person_id:uuid}/consents")
async def consent_given(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def command() -> object:
        purpose, evidence = form.choice("purpose", Purpose), form.choice("evidence", Evidence)
        giving = GiveConsent(person_id, purpose, evidence, _body_named(form, purpose))
        return await give_consent(ctx, viewer.principal.actor, giving, idempotency_key=form.key(viewer))

    return await on_the_file(form, viewer, ctx, person_id, command)


@post("/{person_id:uuid}/consents/withdrawal")
async def consent_withdrawn(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def command() -> object:
        purpose = form.choice("purpose", Purpose)
        withdrawing = WithdrawConsent(person_id, purpose, _body_named(form, purpose))
        return await withdraw_consent(ctx, viewer.principal.actor, withdrawing, idempotency_key=form.key(viewer))

    return await on_the_file(form, viewer, ctx, person_id, command)


def _body_named(form: Form, purpose: Purpose) -> Body | None:
    """The outside body a referral consent names: its kind and its name, both asked (no other purpose names one)."""
    if purpose is not Purpose.EXTERNAL_REFERRAL:
        return None
    check = Checks()
    kind = check(lambda name: form.choice(name, OrganisationKind), "organisation_kind")
    named = check(lambda name: form.text(name, NAME_LENGTH, required=True), "organisation_name")
    check.done()
    assert kind is not None and named is not None  # check.done() raised otherwise
    return Body(kind, named)


# Those who register people open their file; what the file shows, the access policy decides.
ROUTES = [
    Router(
        "/ui/people",
        route_handlers=[
            person_file,
            break_glass_again,
            break_glass,
            consent_given,
            consent_withdrawn,
        ],
        guards=pages_for(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER),
        include_in_schema=False,
    )
]
