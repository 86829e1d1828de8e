"""What a process that keeps the read models also runs, besides them: each task runs for the process's life.

``suivi serve`` (with its projections) and ``suivi worker`` run the same list, so a deployment of
HTTP processes without projections plus workers does everything a single process does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from service.settings import Settings
from service.storage.runtime import Runtime

Work = tuple[str, Callable[[], Awaitable[None]]]
"""A task's name (for logs, never personal data) and what runs it."""


def background_work(runtime: Runtime, settings: Settings, clock: Callable[[], datetime]) -> list[Work]:
    """The tasks that run beside the projections (reminders, once their area lands)."""
    return []
