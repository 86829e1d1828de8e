"""Background work never gives up for good: backoff between attempts, retention tried again, tasks restarted."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from service import app as app_module
from service.gdpr import retention
from service.storage.database import Backoff


def test_backoff_doubles_up_to_its_cap_with_jitter_and_starts_over_when_reset() -> None:
    low, high = Backoff(0.1, 2.0, rng=lambda: 0.0), Backoff(0.1, 2.0, rng=lambda: 0.999999)
    lows = [low.next() for _ in range(8)]
    highs = [high.next() for _ in range(8)]
    assert lows == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0])
    assert highs == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0])
    low.reset()
    assert low.next() == pytest.approx(0.05)


class _Stop(BaseException):
    """Ends the daily loop in the test (as a cancellation would)."""


async def test_a_failed_retention_run_is_tried_again_soon_and_never_ends_the_task(monkeypatch) -> None:
    attempts: list[str] = []

    async def run(*_: object, **__: object) -> retention.RetentionReport:
        attempts.append("run")
        if len(attempts) <= 3:
            raise ConnectionRefusedError("the database is away")
        return retention.RetentionReport(dry_run=False, today=date(2026, 9, 1), due=[])

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if seconds == timedelta(days=1).total_seconds():
            raise _Stop

    monkeypatch.setattr(retention, "run_retention", run)
    with pytest.raises(_Stop):
        await retention.retention_daily(
            None,  # type: ignore[arg-type]  # the fake run needs none of them
            None,  # type: ignore[arg-type]
            None,  # type: ignore[arg-type]
            retention.RetentionPolicy(),
            first_delay=60,
            retry_after=30,
            sleep=sleep,
            rng=lambda: 1.0,
        )
    assert attempts == ["run"] * 4
    assert slept == [60, 30, 60, 120, 86400]


async def test_a_background_task_that_raises_is_started_again(monkeypatch) -> None:
    starts = 0

    async def flaky() -> None:
        nonlocal starts
        starts += 1
        if starts < 3:
            raise RuntimeError("unexpected")

    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr(app_module.asyncio, "sleep", no_sleep)
    await asyncio.wait_for(app_module._keep_running("flaky", flaky), 5)
    assert starts == 3
