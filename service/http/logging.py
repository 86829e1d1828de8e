"""Structured logs, one JSON object a line, with a request id and no personal data.

Only the route template (``/people/{person_id}``), the method, the status and the
duration are logged for a request, never bodies, query strings or headers.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.http.metrics import HttpMetrics

log = logging.getLogger("suivi.http")
_STANDARD = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def request_log_middleware(app: ASGIApp, metrics: HttpMetrics) -> ASGIApp:
    """Log each request and count it in this app's ``metrics`` (``DefineMiddleware(..., metrics=...)``)."""
    declared: dict[str, str] = {}  # template -> path as declared; filled once (Litestar builds a stack per route)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            route = _template(scope, declared)
            method = str(scope.get("method", "?"))
            seconds = time.perf_counter() - started
            metrics.observe(method, route, status, seconds)
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 2),
                },
            )

    return middleware


def _template(scope: Scope, declared: dict[str, str]) -> str:
    """The matched route as declared, with its routers' prefixes (``/people/{person_id:uuid}``), never the path."""
    template = scope.get("path_template") if scope.get("route_handler") is not None else None
    if not template:
        return "unmatched"
    if not declared:
        # Litestar's template drops the parameter types; the routes, complete once serving, keep them.
        declared.update({route.path_format: route.path for route in scope["litestar_app"].routes})
    return declared.get(template, template)
