"""When reminders become due, and how long a failing one waits: pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.application.views.reminders import due_from
from service.reminders.scheduler import Schedule, window
from service.reminders.sender import Retries

SCHEDULE = Schedule(days_before=1, hour=10)


def test_from_the_hour_the_next_day_is_due_and_before_it_only_what_is_left_of_today() -> None:
    before = datetime(2026, 9, 1, 7, 59, tzinfo=UTC)  # 09:59 in Liège (summer time)
    at_the_hour = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    assert window(before, SCHEDULE) == (before, datetime(2026, 9, 1, 22, 0, tzinfo=UTC))  # midnight in Liège
    assert window(at_the_hour, SCHEDULE) == (at_the_hour, datetime(2026, 9, 2, 22, 0, tzinfo=UTC))
    two_days = Schedule(days_before=2, hour=10)
    assert window(at_the_hour, two_days)[1] == datetime(2026, 9, 3, 22, 0, tzinfo=UTC)


def test_a_reminder_is_planned_for_the_hour_the_day_before_in_liege_time() -> None:
    winter = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # 10:00 in Liège (winter time)
    assert due_from(winter, SCHEDULE) == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_retries_double_up_to_their_cap_with_jitter() -> None:
    low, high = Retries(rng=lambda: 0.0), Retries(rng=lambda: 0.999999)
    lows = [low.delay(n) for n in range(1, 10)]
    assert lows[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert lows[-1] == timedelta(minutes=30)  # half of the one-hour cap
    assert all(high.delay(n) <= timedelta(hours=1) for n in range(1, 40))
