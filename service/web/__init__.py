"""The staff web interface: server-rendered pages (Jinja2) with htmx, French first, English second.

The pages sit on the same use cases and access policy as the JSON API: every handler calls the
application layer (``service.application``), with the same session cookie and CSRF check, and
each area's router declares the roles its pages are for. ``create_app`` adds ``WEB_ROUTES`` to
its route handlers and ``template_config()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Router
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from service.web.errors import ERROR_HANDLERS
from service.web.pages import (
    admin,
    appointments,
    auth,
    documents,
    dpo,
    dpo_erasure,
    office_hours,
    people,
    printouts,
    registration,
    reminders,
    social,
    statistics,
    training,
)
from service.web.viewer import VIEWER

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

PAGES = [*auth.ROUTES, *social.ROUTES, *registration.ROUTES, *people.ROUTES, *training.ROUTES, *office_hours.ROUTES]
PAGES += [*dpo.ROUTES, *dpo_erasure.ROUTES, *admin.ROUTES, *printouts.ROUTES]
PAGES += statistics.ROUTES
PAGES += [*appointments.ROUTES, *reminders.ROUTES, *documents.ROUTES]


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def static_files_router() -> Router:
    return create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False)


WEB_ROUTES: list[Any] = [
    Router(path="/", route_handlers=PAGES, dependencies=VIEWER, exception_handlers=ERROR_HANDLERS),
    static_files_router(),
]
