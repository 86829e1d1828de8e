"""Finding people (the query goes in a POST body, never the URL), registering them with a duplicate
warning, and merging two records of the same person (social workers)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any
from uuid import UUID

from babel import Locale
from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.errors import InvalidValueError
from domain.person import ContactDetails, PersonDetails, check_birth_date
from domain.policy import Role
from service.application.context import ApplicationContext
from service.application.identity_values import email_address, national_number, phone_number
from service.application.people import MergePeople, RegisterPerson, merge_people, register_person
from service.application.views.people import PersonCard, cards_of, duplicates_of, person_card, search_directory
from service.web.errors import shown_again
from service.web.kept import Checks, FormFieldError, Kept
from service.web.pages.people import reading_purpose
from service.web.viewer import NAME_LENGTH, SHORT_LENGTH, Form, Viewer, form_of, page, pages_for, parse_day

SPOKEN_LANGUAGES = (
    "fr", "nl", "de", "en", "ar", "tr", "es", "it", "pt", "ro", "pl", "bg", "sq", "ru", "uk", "ka", "hy",
    "fa", "ps", "ku", "ur", "hi", "bn", "ta", "zh", "vi", "ti", "am", "so", "sw", "ln", "ff", "wo", "bm",
    "rw", "kab", "tzm",
)  # fmt: skip
"""The languages offered at registration: those of the people the centre sees most (Liège, 2026)."""
ADDRESS_LENGTH = 300


def _checked(reading: Any, field: str, problem: str) -> Any:
    """A value checked by the application's own rule, refused as this form's field with the page's words."""
    try:
        return reading()
    except InvalidValueError:
        raise FormFieldError(field, problem) from None


def _birth_date(form: Form, name: str, today: date | None) -> date | None:
    born = form.optional_day(name)
    if today is not None and born is not None:
        try:
            check_birth_date(born, today)
        except InvalidValueError:
            raise FormFieldError(name, "future" if born > today else "too_old") from None
    return born


def _optional(form: Form, name: str, check: Any, problem: str, limit: int = SHORT_LENGTH) -> str | None:
    text = form.text(name, limit)
    return _checked(lambda: check(text), name, problem) if text else None


def details_from(form: Form, today: date | None = None) -> PersonDetails:
    """The identity typed at registration; every field that cannot be used is named at once.

    The quick registration (office hours) sends only some of the fields; the others stay empty.
    ``today`` checks the birth date here (the domain checks it again, with the service's clock).
    """
    check = Checks()
    given = check(lambda name: form.text(name, NAME_LENGTH, required=True), "given_name")
    family = check(lambda name: form.text(name, NAME_LENGTH, required=True), "family_name")
    birth = check(lambda name: _birth_date(form, name, today), "birth_date")
    niss = check(lambda name: _optional(form, name, national_number, "niss", 20), "niss")
    phone = check(lambda name: _optional(form, name, phone_number, "phone", 40), "phone")
    email = check(lambda name: _optional(form, name, email_address, "email", 200), "email")
    address = check(lambda name: form.text(name, ADDRESS_LENGTH), "address")
    nationality = check(lambda name: _country(form.get(name, "")), "nationality")
    spoken = check(lambda name: _languages(form.lists.get(name, [])), "languages") or []
    preferred = check(lambda name: _language(form.get(name, ""), name), "preferred_language")
    check.done()
    if preferred and spoken and preferred not in spoken:
        spoken.append(preferred)  # the language preferred is one spoken, even if its box was left unticked
    return PersonDetails(
        given_name=given or "",
        family_name=family or "",
        birth_date=birth,
        nationality=nationality,
        languages=tuple(spoken),
        preferred_language=preferred,
        contact=ContactDetails(phone=phone, email=email, address=address or None),
        niss=niss,
        needs_interpreter=form.get("needs_interpreter") == "yes",
    )


def _country(code: str) -> str | None:
    code = code.strip().upper()
    if not code:
        return None
    if code not in _country_codes():
        raise FormFieldError("nationality", "choice")
    return code


def _language(code: str, field: str) -> str | None:
    code = code.strip().lower()
    if not code:
        return None
    if code not in SPOKEN_LANGUAGES:
        raise FormFieldError(field, "choice")
    return code


def _languages(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(c for c in (_language(code, "languages") for code in codes) if c))


def _country_codes() -> frozenset[str]:
    """Two-letter ISO codes of the countries Babel names (not regions such as 150 Europe, nor ZZ unknown)."""
    codes = (str(code) for code in Locale("fr").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha() and code != "ZZ")


def _sort_key(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))


def countries(language: str) -> list[tuple[str, str]]:
    """(code, name) of every country, by name in the reader's language (Belgique before Bénin)."""
    names = Locale.parse(language).territories
    return sorted(((code, names[code]) for code in _country_codes()), key=lambda pair: _sort_key(pair[1]))


async def _search(ctx: ApplicationContext, viewer: Viewer, query: str) -> list[PersonCard]:
    return await search_directory(ctx, viewer.principal.actor, query, reading_purpose(viewer))


@get("/search")
async def search_page(viewer: NamedDependency[Viewer]) -> Template:
    return page(viewer, "people/search.html", "search.title", found=None, site="")


@post("/search")
async def search(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """Results as an htmx fragment (or the whole page without JavaScript)."""
    form = await form_of(request)
    query = form.get("query", "").strip()
    born = parse_day(query)  # a birth date as people type it (31/12/1990) is searched as one
    query = born.isoformat() if born is not None else query
    found = await _search(ctx, viewer, query) if 2 <= len(query) <= NAME_LENGTH else []
    template = "people/found.html" if request.headers.get("HX-Request") else "people/search.html"
    return page(viewer, template, "search.title", found=found, site=form.get("site", ""))


def _typed_niss(text: str) -> str | None:
    try:
        return national_number(text) if text.strip() else None
    except InvalidValueError:
        return None  # not finished typing, or mistyped: the registration itself will say so


@post("/duplicates")
async def duplicates(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """While registering: people already known under this name and birth date, or this NISS (an htmx fragment).

    Reads ``given_name``, ``family_name``, and (when sent) ``birth_date`` and ``niss``: the quick
    registration of office hours sends the same fields.
    """
    given, family = form.get("given_name", "").strip(), form.get("family_name", "").strip()
    niss = _typed_niss(form.get("niss", ""))
    named = bool(given and family) and len(given) <= NAME_LENGTH and len(family) <= NAME_LENGTH
    found: list[PersonCard] = []
    if named or niss:
        typed = PersonDetails(
            given_name=given if named else "",
            family_name=family if named else "",
            birth_date=parse_day(form.get("birth_date", "")),
            niss=niss,
        )
        found = await duplicates_of(ctx, viewer.principal.actor, typed, reading_purpose(viewer))
    return page(viewer, "people/duplicates.html", "registration.title", found=found)


def _registration(viewer: Viewer, kept: Kept | None = None) -> Template:
    return page(
        viewer,
        "people/new.html",
        "registration.title",
        kept=kept,
        countries=countries(viewer.language),
        languages=SPOKEN_LANGUAGES,
    )


@get("/new")
async def registration_page(viewer: NamedDependency[Viewer]) -> Template:
    return _registration(viewer)


@post("/new")
async def register(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        command = RegisterPerson(details_from(form, ctx.clock().date()))
        registered = await register_person(ctx, viewer.principal.actor, command, idempotency_key=form.key(viewer))
        return Redirect(f"/ui/people/{registered.person_id}", status_code=303)

    async def again(kept: Kept) -> Template:
        return _registration(viewer, kept)

    return await shown_again(form, viewer, attempt, again)


# ---- merging two records of the same person (social workers) ----


async def _merge_page(
    ctx: ApplicationContext, viewer: Viewer, person_id: UUID, query: str = "", kept: Kept | None = None
) -> Template:
    """The person, the records that may be theirs too (flagged at registration), and a search for another."""
    actor, purpose = viewer.principal.actor, reading_purpose(viewer)
    card = await person_card(ctx, actor, person_id, purpose)
    flagged = await cards_of(ctx, actor, card.possible_duplicates, "directory_search", purpose)
    found: list[PersonCard] | None = None
    if query:
        born = parse_day(query)
        found = [
            c for c in await _search(ctx, viewer, born.isoformat() if born else query) if c.person_id != card.person_id
        ]
    return page(
        viewer, "people/merge.html", "merge.title", card=card, flagged=flagged, found=found, query=query, kept=kept
    )


@get("/{person_id:uuid}/merge")
async def merge_page(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    return await _merge_page(ctx, viewer, person_id)


@post("/{person_id:uuid}/merge")
async def merge_search(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    """Looking for the other record by name, file number, NISS or birth date (in the body, never the URL)."""
    query = form.text("query", NAME_LENGTH)
    return await _merge_page(ctx, viewer, person_id, query if len(query) >= 2 else "")


async def _confirmation(
    ctx: ApplicationContext, viewer: Viewer, person_id: UUID, other_id: UUID, kept: Kept | None = None
) -> Template:
    actor, purpose = viewer.principal.actor, reading_purpose(viewer)
    first = await person_card(ctx, actor, person_id, purpose)
    second = await person_card(ctx, actor, other_id, purpose)
    # The record registered first is kept by default: its file number is the one the person knows.
    older = min((first, second), key=lambda c: c.file_number)
    return page(viewer, "people/merge_confirm.html", "merge.title", pair=(first, second), older=older, kept=kept)


@get("/{person_id:uuid}/merge/{other_id:uuid}")
async def merge_confirmation(
    person_id: FromPath[UUID],
    other_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    """Both records side by side (names, file numbers, birth dates), and which one is kept."""
    return await _confirmation(ctx, viewer, person_id, other_id)


@post("/{person_id:uuid}/merge/{other_id:uuid}")
async def merge(
    person_id: FromPath[UUID],
    other_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        kept = form.uuid("kept")
        if kept not in (person_id, other_id):
            raise FormFieldError("kept", "choice")
        duplicate = other_id if kept == person_id else person_id
        merging = MergePeople(kept_id=kept, duplicate_id=duplicate)
        await merge_people(ctx, viewer.principal.actor, merging, idempotency_key=form.key(viewer))
        return Redirect(f"/ui/people/{kept}", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _confirmation(ctx, viewer, person_id, other_id, kept)

    return await shown_again(form, viewer, attempt, again)


# Those who register people find them, and are warned of a possible duplicate; social workers merge.
ROUTES = [
    Router(
        "/ui/people",
        route_handlers=[search_page, search, duplicates, registration_page, register],
        guards=pages_for(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER),
        include_in_schema=False,
    ),
    Router(
        "/ui/people",
        route_handlers=[merge_page, merge_search, merge_confirmation, merge],
        guards=pages_for(Role.SOCIAL_WORKER),
        include_in_schema=False,
    ),
]
