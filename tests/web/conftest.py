"""The app with its pages, signed-in page clients per role, and (for the browser tests) a live server and Chromium."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.staff.accounts import StaffAccounts
from service.storage.keys.master_key import MasterKey
from tests.conftest import _drop, clone_database, with_database
from tests.http.conftest import PASSWORD, ROLES
from tests.http.conftest import app as app
from tests.http.conftest import gdpr as gdpr
from tests.http.conftest import project as project
from tests.http.conftest import runtime_of as runtime_of

CHROMIUM = Path(os.environ.get("SUIVI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
# How long a browser step may wait for what it needs (a page, an element, a download): generous, because
# a busy machine is slow, and every wait ends as soon as its condition holds. Never a fixed sleep.
BROWSER_TIMEOUT_MS = 60_000
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app) as test_client:
        yield test_client


@dataclass
class Browserless:
    """A page client signed in through the sign-in form, as a browser would be (one shared test client)."""

    client: AsyncTestClient[Litestar]
    staff_id: str
    csrf: str
    session: str

    def _mine(self) -> None:
        self.client.cookies.clear()
        self.client.cookies.set("suivi_session", self.session)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        self._mine()
        return await self.client.get(url, follow_redirects=False, **kwargs)

    async def post(self, url: str, data: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        self._mine()
        form = {"csrf_token": self.csrf, **(data or {})}
        return await self.client.post(url, data=form, follow_redirects=False, **kwargs)

    async def raw_post(self, url: str, **kwargs: Any) -> httpx.Response:
        self._mine()
        return await self.client.post(url, follow_redirects=False, **kwargs)


async def sign_in(client: AsyncTestClient[Litestar], username: str) -> tuple[str, str]:
    """Sign in through the form; the CSRF token is read from the next page, as the browser gets it."""
    client.cookies.clear()
    answer = await client.post("/ui/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    session = client.cookies["suivi_session"]
    page = await client.get("/ui/", follow_redirects=True)
    found = _CSRF.search(page.text)
    assert found, page.text
    return found.group(1), session


@pytest.fixture
async def pages(client: AsyncTestClient[Litestar], runtime, clock) -> dict[str, Browserless]:
    """One signed-in page client per role."""
    accounts = StaffAccounts(runtime.pool)
    clients = {}
    for name, role in ROLES.items():
        username, display = name.replace("_", "."), name.replace("_", " ").title()
        member = await accounts.create(username, display, PASSWORD, [role], clock())
        csrf, session = await sign_in(client, username)
        clients[name] = Browserless(client, str(member.staff_id), csrf, session)
    return clients


# ---- the live server and Chromium, for the browser tests ----


def _run(coroutine: Any) -> Any:
    """Run a coroutine on its own thread: Playwright's sync API keeps an event loop on this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Live:
    url: str
    tokens: dict[str, str]
    staff_ids: dict[str, str]

    def api(self, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def live(server_url: str, template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    _require_chromium()  # before starting a server for nothing
    name = f"suivi_web_{uuid.uuid4().hex[:8]}"
    database = with_database(server_url, name)
    staff_ids: dict[str, str] = {}

    async def prepare() -> None:
        admin = await asyncpg.connect(server_url)
        await clone_database(admin, name, template_database)
        await admin.close()
        pool = await asyncpg.create_pool(database, min_size=1, max_size=2)
        assert pool is not None
        for role_name, role in ROLES.items():
            member = await StaffAccounts(pool).create(
                role_name.replace("_", "."), role_name.replace("_", " ").title(), PASSWORD, [role], datetime.now(UTC)
            )
            staff_ids[role_name] = str(member.staff_id)
        await pool.close()

    _run(prepare())
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("web")
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SUIVI_MASTER_KEY": MasterKey.generate().to_hex(),
        "SUIVI_PORT": str(port),
        "SUIVI_DATA_DIR": str(data_dir),
        "SUIVI_ENVIRONMENT": "development",
    }
    log = (data_dir / "server.log").open("wb")  # a file, never an unread pipe
    process = subprocess.Popen([sys.executable, "-m", "tests.web.serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (data_dir / "server.log").read_text()
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        tokens = {}
        for role_name in ROLES:
            answer = httpx.post(
                base + "/auth/sign-in",
                json={"username": role_name.replace("_", "."), "password": PASSWORD, "mode": "bearer"},
            )
            tokens[role_name] = answer.json()["token"]
        yield Live(base, tokens, staff_ids)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
        _run(_drop(server_url, name))


def _require_chromium() -> None:
    """Skip, with how to install Chromium, on a developer's machine; fail in CI (CI=true)."""
    missing = _chromium_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser tests: " + missing)
        pytest.skip(missing)


def _chromium_missing() -> str | None:
    if CHROMIUM.exists() or shutil.which(str(CHROMIUM)):
        return None
    return (
        f"browser tests skipped: Chromium not found at {CHROMIUM}. "
        "Install it with `sudo apt-get install chromium` (Debian/Ubuntu), or set SUIVI_CHROMIUM."
    )


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Any]:
    """Started after the live server (whose setup runs asyncio) and stopped with the module."""
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_as(browser: Any, live: Live) -> Iterator[Any]:
    """A fresh browser context signed in as a role, through the sign-in page."""
    contexts = []

    def sign_in_as(role: str, *, width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-BE")
        contexts.append(context)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)  # every page of the context, pop-ups included
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        page = context.new_page()
        page.goto(live.url + "/ui/sign-in")
        page.get_by_label("Identifiant").fill(role.replace("_", "."))
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        # Signed in once the sign-in page is left behind and the page it led to has loaded.
        page.wait_for_url(lambda url: "/ui/sign-in" not in url, wait_until="load")
        return page

    yield sign_in_as
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def eventually(check: Any, timeout: float = 30.0) -> Any:
    """Until ``check`` holds: the live server's read models may run a little behind a write.

    ``check`` may reload the page. A reload that meets the navigation a click has just started fails
    in Chromium ("not attached to an active page", "interrupted by another navigation"): it is tried
    again, as is a failed assertion, until the deadline; then the last failure is raised.
    """
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
            failure: BaseException = AssertionError("not reached in time")
        except (AssertionError, PlaywrightError) as error:
            failure = error
        if time.monotonic() > deadline:
            raise failure
        time.sleep(0.2)


def reload_until(page: Any, check: Any, timeout: float = 30.0) -> Any:
    """Until ``check`` holds on ``page``: first as it loads (a form just sent may still be on its way,
    and a reload would cut it short), then reloaded at each try (a reload cut short is tried again)."""
    tries = 0

    def reloaded() -> Any:
        nonlocal tries
        tries += 1
        if tries == 1:
            page.wait_for_load_state()
        else:
            page.reload()
        return check()

    return eventually(reloaded, timeout)


_SKIPPED_BROWSER: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "Chromium not found" in str(report.longrepr) and not _SKIPPED_BROWSER:
        _SKIPPED_BROWSER.append(str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say it plainly at the end of `make test`: the browser tests did not run, and how to make them run."""
    for message in _SKIPPED_BROWSER:
        terminalreporter.write_sep("=", "BROWSER TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(message.removeprefix("Skipped: "))
