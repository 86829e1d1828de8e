"""Documents on the pages: a case's papers and a person's identity papers, listed, uploaded, downloaded.

The person's file shows each case's documents (and the identity papers) in a "Documents" part,
loaded with the page (htmx); each list leads to the documents' page, where a paper is attached
(file, title, kind, deadline) or scanned again (a new version).

An upload is a ``multipart/form-data`` form read as it arrives (``service.http.uploads``), by the
same application function as the API: the file goes from the socket to the content check and
the encrypted store, never to memory whole nor to a temporary file. That is why the upload's
CSRF token comes in the form's address (``?csrf_token=``) and not as a form field: a field
would make the session check parse the whole form first, file included, onto the disk in
clear. A refused file brings the page back with what was typed and the message in French.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from litestar.types import HTTPScope

from domain.case import DocumentKind
from domain.policy import Role
from service.application.context import ApplicationContext
from service.application.documents import TEXT_FIELDS, AttachTo, DocumentTooLargeError, attach_document
from service.application.views.documents import DocumentContent, DocumentList, case_documents, document_content
from service.application.views.documents import person_documents as identity_documents
from service.application.views.people import person_card
from service.documents.store import DocumentGoneError
from service.gdpr.export_zip import export_zip
from service.http.deps import Services, services_of
from service.http.downloads import document_file
from service.http.problems import CsrfError
from service.http.security import CSRF_HEADER, Principal, authenticate
from service.http.uploads import StreamedForm
from service.storage.repository import AggregateErasedError
from service.web.errors import shown_again
from service.web.kept import FormFieldError, Kept
from service.web.pages.people import reading_purpose
from service.web.viewer import Form, Viewer, page, pages_for
from service.words.translator import Translator

FORM_FIELDS = (*TEXT_FIELDS, "form_token", "person_id")
_READERS = (Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)


async def _upload_session(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Check the session with the CSRF token of the form's address, without reading the body.

    The viewer found is kept for the page and its role guard (``viewer_of`` reads it from the state).
    """
    if connection.state.get("viewer") is not None:
        return
    services = services_of(connection)
    token = connection.query_params.get("csrf_token", "")
    headers = [*connection.scope["headers"], (CSRF_HEADER.lower().encode(), token.encode())]
    checked: Request[Any, Any, Any] = Request(cast("HTTPScope", {**connection.scope, "headers": headers, "state": {}}))
    now = services.clock()
    try:
        principal = await authenticate(checked, services.sessions, services.accounts, now)
    except CsrfError:
        # The session is good, the page was stale (or another's): the error page still shows the navigation.
        safe: Request[Any, Any, Any] = Request(cast("HTTPScope", {**connection.scope, "method": "GET", "state": {}}))
        known = await authenticate(safe, services.sessions, services.accounts, now)
        connection.state["viewer"] = await _viewer(known, services, now)
        raise
    connection.state["viewer"] = await _viewer(principal, services, now)


async def _viewer(principal: Principal, services: Services, now: datetime) -> Viewer:
    session = await services.sessions.find(principal.token, now)
    return Viewer(principal, "" if session is None else session.csrf_token)


_READ = pages_for(*_READERS)
_WRITE = [_upload_session, *pages_for(*_READERS)]
"""An upload checks its session from the form's address first: the role guard would read the body."""


def file_size(t: Translator, size: int) -> str:
    """1 234 567 bytes -> "1,2 Mo"; under a megabyte, in kilobytes ("245 Ko")."""
    if size >= 1024 * 1024:
        return t("documents.size_mb", size=t.number(round(size / (1024 * 1024), 1)))
    return t("documents.size_kb", size=t.number(max(1, round(size / 1024))))


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split()) or "document"


async def _page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    ctx: ApplicationContext,
    listed: DocumentList,
    action: str,
    kept: Kept | None = None,
) -> Template:
    card = await person_card(ctx, viewer.principal.actor, listed.person_id, reading_purpose(viewer))
    base = f"/ui/documents/cases/{listed.case_id}" if listed.case_id else f"/ui/documents/people/{listed.person_id}"
    staff = {m.staff_id: m.display_name for m in await ctx.accounts.all()}
    return page(
        viewer,
        "documents/page.html",
        "documents.case_title" if listed.case_id else "documents.identity_title",
        card=card,
        listed=listed,
        base=base,
        action=action,
        kinds=list(DocumentKind),
        staff=staff,
        file_size=file_size,
        max_mb=megabytes(services_of(request).settings.document_max_bytes),
        kept=kept,
    )


async def _listed(
    viewer: Viewer, ctx: ApplicationContext, case_id: UUID | None, person_id: UUID | None
) -> DocumentList:
    actor, purpose = viewer.principal.actor, reading_purpose(viewer)
    if case_id is not None:
        return await case_documents(ctx, actor, case_id, purpose)
    assert person_id is not None
    found = await identity_documents(ctx, actor, person_id, purpose)
    # The identity papers' page: a case's papers are on their case's page.
    return DocumentList(found.person_id, [d for d in found.documents if d.case_id is None], None, found.break_glass)


@get("/cases/{case_id:uuid}", guards=_READ)
async def case_page(
    case_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    listed = await _listed(viewer, ctx, case_id, None)
    return await _page(request, viewer, ctx, listed, f"/ui/documents/cases/{case_id}")


@get("/people/{person_id:uuid}", guards=_READ)
async def identity_page(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    listed = await _listed(viewer, ctx, None, person_id)
    return await _page(request, viewer, ctx, listed, f"/ui/documents/people/{person_id}")


@get("/cases/{case_id:uuid}/summary", guards=_READ)
async def case_summary(
    case_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """The case's documents inside its part of the person's file (an htmx fragment)."""
    listed = await _listed(viewer, ctx, case_id, None)
    base = f"/ui/documents/cases/{case_id}"
    today = ctx.clock().date()
    return page(viewer, "documents/summary.html", "documents.case_title", listed=listed, base=base, today=today)


@get("/people/{person_id:uuid}/summary", guards=_READ)
async def identity_summary(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """The identity papers at the head of the person's file (an htmx fragment)."""
    listed = await _listed(viewer, ctx, None, person_id)
    base = f"/ui/documents/people/{person_id}"
    today = ctx.clock().date()
    return page(viewer, "documents/summary.html", "documents.identity_title", listed=listed, base=base, today=today)


async def _upload(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    ctx: ApplicationContext,
    to: AttachTo,
    action: str,
    then: str,
) -> Response[Any]:
    max_bytes = services_of(request).settings.document_max_bytes
    streamed = StreamedForm(request, FORM_FIELDS, max_bytes=max_bytes)
    sent = Form({}, request=request)

    async def attempt() -> Response[Any]:
        try:
            await attach_document(
                ctx,
                viewer.principal.actor,
                to,
                streamed,
                max_bytes=max_bytes,
                key_of_form=lambda fields: Form(dict(fields), token=fields.get("form_token", "")).key(viewer),
            )
        except DocumentTooLargeError:
            raise FormFieldError("file", "documents_too_large", mb=megabytes(max_bytes)) from None
        finally:
            sent.update({"file": "", **{k: v for k, v in streamed.values.items() if k != "form_token"}})
        return Redirect(then, status_code=303)

    async def again(kept: Kept) -> Template:
        listed = await _listed(viewer, ctx, to.case_id, to.person_id if to.case_id is None else None)
        return await _page(request, viewer, ctx, listed, action, kept)

    return await shown_again(sent, viewer, attempt, again)


def megabytes(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    return str(int(megabytes)) if megabytes == int(megabytes) else f"{megabytes:.1f}".replace(".", ",")


@post("/cases/{case_id:uuid}", guards=_WRITE, request_max_body_size=None)
async def upload_to_case(
    case_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    action = f"/ui/documents/cases/{case_id}"
    return await _upload(request, viewer, ctx, AttachTo(case_id=case_id), action, action)


@post("/people/{person_id:uuid}", guards=_WRITE, request_max_body_size=None)
async def upload_to_person(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    action = f"/ui/documents/people/{person_id}"
    return await _upload(request, viewer, ctx, AttachTo(person_id=person_id), action, action)


@post("/cases/{case_id:uuid}/{document_id:uuid}/versions", guards=_WRITE, request_max_body_size=None)
async def new_case_version(
    case_id: FromPath[UUID],
    document_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    back = f"/ui/documents/cases/{case_id}"
    to = AttachTo(case_id=case_id, document_id=document_id)
    return await _upload(request, viewer, ctx, to, f"{back}/{document_id}/versions", back)


@post("/people/{person_id:uuid}/{document_id:uuid}/versions", guards=_WRITE, request_max_body_size=None)
async def new_identity_version(
    person_id: FromPath[UUID],
    document_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    back = f"/ui/documents/people/{person_id}"
    to = AttachTo(person_id=person_id, document_id=document_id)
    return await _upload(request, viewer, ctx, to, f"{back}/{document_id}/versions", back)


def _file(content: DocumentContent, viewer: Viewer) -> Response[Any]:
    return document_file(content, _slug(Translator(viewer.language).of("document", content.document.kind)))


@get("/cases/{case_id:uuid}/{document_id:uuid}/versions/{version:int}", guards=_READ)
async def case_download(
    case_id: FromPath[UUID],
    document_id: FromPath[UUID],
    version: FromPath[int],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    purpose = reading_purpose(viewer)
    try:
        content = await document_content(ctx, viewer.principal.actor, document_id, version, purpose, case_id=case_id)
    except DocumentGoneError:
        raise AggregateErasedError(document_id) from None
    return _file(content, viewer)


@get("/people/{person_id:uuid}/{document_id:uuid}/versions/{version:int}", guards=_READ)
async def identity_download(
    person_id: FromPath[UUID],
    document_id: FromPath[UUID],
    version: FromPath[int],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    purpose = reading_purpose(viewer)
    try:
        content = await document_content(
            ctx, viewer.principal.actor, document_id, version, purpose, person_id=person_id
        )
    except DocumentGoneError:
        raise AggregateErasedError(document_id) from None
    return _file(content, viewer)


@get("/{person_id:uuid}/export.zip", guards=pages_for(Role.DPO))
async def export_with_files(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Stream:
    """The DPO's subject-access export with every document's file (``export.json`` and ``documents/``)."""
    archive = await export_zip(ctx, viewer.principal.actor, person_id)
    disposition = 'attachment; filename="export.zip"'
    return Stream(archive, media_type="application/zip", headers={"Content-Disposition": disposition})


# Typed as any route entry, so the pages' list of every area stays one type.
ROUTES: list[Any] = [
    Router(
        "/ui/documents",
        route_handlers=[
            case_page,
            identity_page,
            case_summary,
            identity_summary,
            case_download,
            identity_download,
            upload_to_case,
            upload_to_person,
            new_case_version,
            new_identity_version,
        ],
        include_in_schema=False,
    ),
    Router("/ui/dpo/people", route_handlers=[export_with_files], include_in_schema=False),
]
