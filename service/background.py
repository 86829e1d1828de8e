"""What a process that keeps the read models also runs, besides them: each task runs for the process's life.

``suivi serve`` (with its projections) and ``suivi worker`` run the same list, so a deployment of
HTTP processes without projections plus workers does everything a single process does.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import datetime

from service.application.context import ApplicationContext
from service.reminders import scheduler
from service.reminders.scheduler import Schedule
from service.reminders.sender import Sender
from service.reminders.transports import transports_from
from service.settings import Settings
from service.storage.runtime import Runtime

Work = tuple[str, Callable[[], Awaitable[None]]]
"""A task's name (for logs, never personal data) and what runs it."""


def background_work(runtime: Runtime, settings: Settings, clock: Callable[[], datetime]) -> list[Work]:
    """The tasks that run beside the projections: the reminders' scheduler and their sender.

    Several processes may run both: the scheduler's reminders conflict rather than double, and
    the senders claim their work with leases (``service.reminders.outbox``).
    """
    ctx = ApplicationContext.from_runtime(runtime, clock=clock)
    schedule = Schedule.of(settings)
    sender = Sender(runtime.pool, ctx.repository, transports_from(settings), clock)
    made_due = asyncio.Event()  # the scheduler wakes this process's sender at once
    return [
        (
            "reminder-scheduler",
            functools.partial(scheduler.run_forever, ctx, schedule, runtime.notifier, wake=made_due.set),
        ),
        ("reminder-sender", functools.partial(sender.run_forever, woken=made_due)),
    ]
