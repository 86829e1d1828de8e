"""No answer that may hold personal data is kept by a browser or a proxy: ``Cache-Control: no-store``.

Pages and API alike: after signing out, Back shows nothing from the browser's cache, and a
shared computer keeps no copy of a file on disk. Only the static files (the stylesheet, the
scripts, which hold no data) may be cached. The header replaces any other Cache-Control.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = (b"cache-control", b"no-store")
STATIC_PREFIX = "/static/"


def no_store_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith(STATIC_PREFIX):
            await app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, NO_STORE]
            await send(message)

        await app(scope, receive, send_no_store)

    return middleware
