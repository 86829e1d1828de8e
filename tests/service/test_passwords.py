"""Argon2 runs in a worker thread: a sign-in being verified never stops the other requests."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from domain.policy import Role
from service.staff import accounts as accounts_module
from service.staff import passwords
from service.staff.accounts import StaffAccounts
from service.staff.passwords import hash_password, verify_password
from service.storage.runtime import Runtime

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
# Generous: only reached when the work runs on the event loop (the test then fails instead of hanging).
LOOP_SILENT_FOR = 60.0


class LoopWatch:
    """Counts the event loop's ticks while a password is being checked.

    The check first says it started, then waits for a tick of the loop before doing the real work.
    On the event loop's own thread that wait cannot end (the loop is stuck in it): it gives up after
    ``LOOP_SILENT_FOR`` and the test fails. In a worker thread the loop ticks at once. Nothing is timed.
    """

    def __init__(self) -> None:
        self.checking = threading.Event()
        self.ticked_while_checking = threading.Event()
        self.ticks_while_checking = 0

    def around(self, work: Callable[..., object]) -> Callable[..., object]:
        def checked_while_the_loop_runs(*args: object) -> object:
            self.checking.set()
            try:
                if not self.ticked_while_checking.wait(LOOP_SILENT_FOR):
                    raise AssertionError("the event loop did not run while the password was being checked")
                return work(*args)
            finally:
                self.checking.clear()

        return checked_while_the_loop_runs

    async def during(self, operation: Awaitable[object]) -> None:
        async def sleeper() -> None:
            while True:
                await asyncio.sleep(0)
                if self.checking.is_set():
                    self.ticks_while_checking += 1
                    self.ticked_while_checking.set()

        ticking = asyncio.create_task(sleeper())
        try:
            await operation
        finally:
            ticking.cancel()


@pytest.mark.parametrize("username", ["amelie", "nobody"], ids=["known account", "unknown account"])
async def test_sign_in_checks_the_password_while_the_loop_goes_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, username: str
) -> None:
    accounts = StaffAccounts(runtime.pool)
    await accounts.create("amelie", "Amélie", PASSWORD, [Role.TRAINER], NOW)
    watch = LoopWatch()
    monkeypatch.setattr(accounts_module, "verify_password", watch.around(verify_password))

    await watch.during(accounts.authenticate(username, PASSWORD, NOW))

    assert watch.ticks_while_checking > 0


async def test_creating_an_account_hashes_while_the_loop_goes_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = StaffAccounts(runtime.pool)
    watch = LoopWatch()
    monkeypatch.setattr(accounts_module, "hash_password", watch.around(hash_password))

    await watch.during(accounts.create("amelie", "Amélie", PASSWORD, [Role.TRAINER], NOW))

    assert watch.ticks_while_checking > 0
    member, _ = await accounts.authenticate("amelie", PASSWORD, NOW)
    assert member is not None and member.username == "amelie"


def test_an_unknown_account_is_still_checked_against_a_hash_and_refused() -> None:
    assert verify_password("not-a-real-password-at-all", None) is False
    assert verify_password(PASSWORD, hash_password(PASSWORD)) is True
    assert verify_password("another password", hash_password(PASSWORD)) is False


def test_importing_the_module_hashes_nothing() -> None:
    probe = "import service.staff.passwords as p; print(p.dummy_hash.cache_info().currsize)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "0"


def test_a_hash_is_made_at_the_cost_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "COST", passwords.OWASP_MINIMUM)  # the suite makes cheap hashes

    assert "$m=19456,t=2,p=1$" in hash_password(PASSWORD)


def test_the_module_hashes_at_owasps_minimum_cost() -> None:
    probe = "import service.staff.passwords as p; print(p.COST == p.OWASP_MINIMUM == p.Cost(19456, 2, 1))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "True"
