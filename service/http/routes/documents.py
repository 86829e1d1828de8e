"""Documents (scans): attach, add a version, list, download; and the DPO's export as a ZIP.

An upload is ``multipart/form-data`` (declared so in the OpenAPI document), parsed here as it
arrives (``service.http.uploads``): the file part goes straight to the check of its content and
the encrypted store, never to memory whole nor to a temporary file. The paths:

- ``POST /cases/{case_id}/documents/scans``: a paper of the case (``POST /cases/{case_id}/documents``,
  in JSON, still records only where a paper is kept, as before);
- ``POST /people/{person_id}/documents/scans``: a scan of an identity paper, no case;
- ``POST .../documents/{document_id}/versions``: a new scan of the same paper;
- ``GET .../documents/scans``: the list (metadata); ``GET .../documents/{document_id}/versions/{version}``:
  the file, decrypted as it is sent;
- ``GET /dpo/people/{person_id}/export.zip``: the subject-access export with every file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    Encoding,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream

from domain.case import DocumentKind
from domain.document import TITLE_LENGTH
from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.documents import (
    REASON_LENGTH,
    TEXT_FIELDS,
    AttachTo,
    DocumentChanged,
    DocumentTooLargeError,
    attach_document,
)
from service.application.reading import ReadPurpose
from service.application.views import documents as views
from service.application.views.documents import DocumentList
from service.documents.content import MediaType
from service.documents.store import DocumentGoneError
from service.gdpr.export_zip import export_zip
from service.http.deps import Command, Services
from service.http.downloads import document_file
from service.http.guards import requires
from service.http.openapi import area
from service.http.problems import MEDIA_TYPE, problem
from service.http.uploads import MULTIPART, StreamedForm
from service.http.wire import Changed, ShortText, changed
from service.http.wire import Request as Body

_PROBLEM = Reference(ref="#/components/schemas/Problem")
_FORMATS = "application/pdf, image/jpeg, image/png"


def _form_schema(new: bool) -> Schema:
    properties: dict[str, Any] = {
        "file": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            description="The scan: a PDF, a JPEG or a PNG (told from its content, never its name), at most"
            " SUIVI_DOCUMENT_MAX_BYTES. Images lose their metadata (EXIF, GPS) before they are stored.",
        ),
        "break_glass_reason": Schema(
            type=OpenAPIType.STRING,
            max_length=REASON_LENGTH,
            description="Needed outside one's own caseload (recorded, flagged for the DPO); sent before the file.",
        ),
    }
    if new:
        properties["title"] = Schema(type=OpenAPIType.STRING, min_length=1, max_length=TITLE_LENGTH)
        properties["kind"] = Schema(type=OpenAPIType.STRING, enum=[str(k) for k in DocumentKind])
        properties["deadline"] = Schema(
            type=OpenAPIType.STRING,
            any_of=[Schema(format=OpenAPIFormat.DATE), Schema(max_length=0)],
            description="Optional (empty as a form sends it: none). On a case it becomes one of the case's"
            " follow-ups, due that day.",
        )
    required = ["file", "title", "kind"] if new else ["file"]
    return Schema(type=OpenAPIType.OBJECT, properties=properties, required=required, additional_properties=False)


@dataclass
class _Upload(Operation):
    """The operation of an upload: a ``multipart/form-data`` body, which Litestar is never let parse."""

    new: bool = field(default=True, repr=False)

    def __post_init__(self) -> None:
        media = OpenAPIMediaType(schema=_form_schema(self.new), encoding={"file": Encoding(content_type=_FORMATS)})
        self.request_body = RequestBody(content={MULTIPART: media}, required=True)
        too_large = OpenAPIResponse(
            description="request-too-large: the file is over SUIVI_DOCUMENT_MAX_BYTES (errors names `file`).",
            content={MEDIA_TYPE: OpenAPIMediaType(schema=_PROBLEM)},
        )
        self.responses = {**(self.responses or {}), "413": too_large}

    @property
    def _exclude_fields(self) -> set[str]:
        return {"new"}


@dataclass
class _NewVersion(_Upload):
    new: bool = field(default=False, repr=False)


@dataclass
class _Download(Operation):
    """The operation of a download: the file as stored, in its own media type."""

    def __post_init__(self) -> None:
        binary = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
        ok = OpenAPIResponse(description="The file.", content=dict.fromkeys(MediaType, binary))
        self.responses = {**(self.responses or {}), "200": ok}


def _uploaded(outcome: DocumentChanged, location: str) -> Response[Changed]:
    response = changed(outcome, 201, etag_of=outcome.document_id)
    response.headers["Location"] = f"{location}/{outcome.document_id}/versions/{outcome.version}"
    return response


async def _upload(
    request: Request[Any, Any, Any], command: Command, services: Services, to: AttachTo, location: str
) -> Response[Any]:
    max_bytes = services.settings.document_max_bytes
    form = StreamedForm(request, TEXT_FIELDS, max_bytes=max_bytes, refuse_unknown=True)
    try:
        outcome = await attach_document(
            command.ctx, command.actor, to, form, max_bytes=max_bytes, idempotency_key=command.idempotency_key
        )
    except DocumentTooLargeError as error:
        blamed = [{"field": "file", "source": "body", "message": str(error)}]
        return problem(413, "request-too-large", "Request too large", str(error), errors=blamed)
    return _uploaded(outcome, location)


async def _download(
    ctx: ApplicationContext,
    actor: Actor,
    document_id: UUID,
    version: int,
    purpose: ReadPurpose,
    break_glass_reason: str | None = None,
    *,
    case_id: UUID | None = None,
    person_id: UUID | None = None,
) -> Response[Any]:
    """One version's file, as stored (its own media type), on the case or the person it is filed
    on; 410 once the person is erased."""
    try:
        content = await views.document_content(
            ctx, actor, document_id, version, purpose, break_glass_reason, case_id=case_id, person_id=person_id
        )
    except DocumentGoneError as error:
        return problem(410, "erased", "Erased", str(error))
    return document_file(content, str(content.document.kind))


class BreakGlass(Body, frozen=True):
    """Reading outside one's caseload: the reason is written down and flagged for the DPO."""

    reason: ShortText
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP


# --- a case's papers --------------------------------------------------------------------------


@post("/{case_id:uuid}/documents/scans", operation_class=_Upload, request_max_body_size=None)
async def attach_to_case(
    case_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    command: NamedDependency[Command],
    services: NamedDependency[Services],
) -> Response[Any]:
    """Attach a scan to the case (multipart/form-data: file, title, kind, and an optional deadline).

    A deadline becomes a follow-up of the case, in the same append. ``file`` that is not a PDF,
    JPEG or PNG: 422 naming ``file``; too large: 413. The Location header names the new file.
    """
    to = AttachTo(case_id=case_id)
    return await _upload(request, command, services, to, f"/cases/{case_id}/documents")


@post("/{case_id:uuid}/documents/{document_id:uuid}/versions", operation_class=_NewVersion, request_max_body_size=None)
async def new_case_version(
    case_id: FromPath[UUID],
    document_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    command: NamedDependency[Command],
    services: NamedDependency[Services],
) -> Response[Any]:
    """A new scan of the same paper (multipart/form-data: file): the earlier versions stay."""
    to = AttachTo(case_id=case_id, document_id=document_id)
    return await _upload(request, command, services, to, f"/cases/{case_id}/documents")


@get("/{case_id:uuid}/documents/scans")
async def case_documents(
    case_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> DocumentList:
    """The case's documents and their versions (recorded as a read of the person's file)."""
    return await views.case_documents(ctx, actor, case_id, purpose)


@get("/{case_id:uuid}/documents/{document_id:uuid}/versions/{version:int}", operation_class=_Download)
async def case_document_content(
    case_id: FromPath[UUID],
    document_id: FromPath[UUID],
    version: FromPath[int],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> Response[Any]:
    """The file of one version, as stored (its own media type); 410 once the person is erased."""
    return await _download(ctx, actor, document_id, version, purpose, case_id=case_id)


@post(
    "/{case_id:uuid}/documents/{document_id:uuid}/versions/{version:int}/break-glass",
    status_code=200,
    operation_class=_Download,
)
async def case_document_break_glass(
    case_id: FromPath[UUID],
    document_id: FromPath[UUID],
    version: FromPath[int],
    data: JSONBody[BreakGlass],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
) -> Response[Any]:
    """The file, outside one's caseload: the reason is recorded and flagged for the DPO."""
    return await _download(ctx, actor, document_id, version, data.purpose, data.reason, case_id=case_id)


# --- a person's identity papers ---------------------------------------------------------------


@post("/{person_id:uuid}/documents/scans", operation_class=_Upload, request_max_body_size=None)
async def attach_to_person(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    command: NamedDependency[Command],
    services: NamedDependency[Services],
) -> Response[Any]:
    """Attach a scan of an identity paper (an ID card, a residence permit) to the person's file, with
    no case (multipart/form-data: file, title, kind, optional deadline: shown on the file)."""
    to = AttachTo(person_id=person_id)
    return await _upload(request, command, services, to, f"/people/{person_id}/documents")


@post(
    "/{person_id:uuid}/documents/{document_id:uuid}/versions", operation_class=_NewVersion, request_max_body_size=None
)
async def new_person_version(
    person_id: FromPath[UUID],
    document_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    command: NamedDependency[Command],
    services: NamedDependency[Services],
) -> Response[Any]:
    """A new scan of the same identity paper (multipart/form-data: file)."""
    to = AttachTo(person_id=person_id, document_id=document_id)
    return await _upload(request, command, services, to, f"/people/{person_id}/documents")


@get("/{person_id:uuid}/documents/scans")
async def person_documents(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> DocumentList:
    """The person's documents the reader may download: identity scans, and their cases' papers
    when the reader follows the person's social-legal file."""
    return await views.person_documents(ctx, actor, person_id, purpose)


@get("/{person_id:uuid}/documents/{document_id:uuid}/versions/{version:int}", operation_class=_Download)
async def person_document_content(
    person_id: FromPath[UUID],
    document_id: FromPath[UUID],
    version: FromPath[int],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> Response[Any]:
    """The file of one version of an identity paper; 410 once the person is erased."""
    return await _download(ctx, actor, document_id, version, purpose, person_id=person_id)


# --- the DPO's export with the files -----------------------------------------------------------


@get("/{person_id:uuid}/export.zip", media_type="application/zip")
async def export_with_files(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> Stream:
    """The subject-access export as a ZIP: ``export.json`` (as ``GET .../export``), every version of
    every document under ``documents/``, and ``documents/index.json`` saying which file is which."""
    archive = await export_zip(ctx, actor, person_id)
    disposition = 'attachment; filename="export.zip"'
    return Stream(archive, media_type="application/zip", headers={"Content-Disposition": disposition})


ROUTES = [
    # A case's papers are the social workers'; which cases, the access policy decides.
    Router(
        "/cases",
        route_handlers=[
            attach_to_case,
            new_case_version,
            case_documents,
            case_document_content,
            case_document_break_glass,
        ],
        guards=[requires(Role.SOCIAL_WORKER)],
        tags=["documents"],
        opt=area(people=True, restricted=True),
    ),
    # Identity papers: those who register people (social workers, office-hours helpers).
    Router(
        "/people",
        route_handlers=[attach_to_person, new_person_version, person_documents, person_document_content],
        guards=[requires(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)],
        tags=["documents"],
        opt=area(people=True, restricted=True),
    ),
    Router(
        "/dpo/people",
        route_handlers=[export_with_files],
        guards=[requires(Role.DPO)],
        tags=["dpo"],
        opt=area(people=True),
    ),
]
