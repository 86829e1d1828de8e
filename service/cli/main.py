"""The ``suivi`` command line. Errors are printed as one clear line, never a stack trace."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from domain.policy import Role
from service.cli import certificates as certificate_commands
from service.cli import commands
from service.cli import gdpr as gdpr_commands
from service.settings import Settings, SettingsError
from service.staff.accounts import UsernameTakenError
from service.staff.passwords import WeakPasswordError
from service.storage.embedded_pg import EmbeddedPostgresError
from service.storage.keys.master_key import MasterKeyError
from service.storage.migrations import MigrationError

_EXPECTED_ERRORS = (
    UsernameTakenError,
    WeakPasswordError,
    MasterKeyError,
    SettingsError,
    MigrationError,
    EmbeddedPostgresError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    *gdpr_commands.EXPECTED_ERRORS,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="suivi", description="Suivi: social and legal follow-up.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="apply migrations and start the HTTP service")
    serve.add_argument("--demo", action="store_true", help="load the demo dataset into an empty database")
    serve.add_argument("--no-projections", action="store_true", help="leave the projections to suivi worker processes")
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="HTTP processes sharing the port (default 1)"
    )
    sub.add_parser("migrate", help="apply pending database migrations")
    sub.add_parser("verify", help="check the event log for tampering (needs no keys)")
    sub.add_parser("checkpoint", help="sign a checkpoint of the event log")
    sub.add_parser("worker", help="keep the read models up to date (without serving HTTP)")
    sub.add_parser("demo", help="load the fictional demo dataset into an empty database")
    projections = sub.add_parser("projections", help="read-model projections")
    projections_sub = projections.add_subparsers(dest="projections_command", required=True)
    projections_sub.add_parser("status", help="position, lag and state of each projection")
    rebuild = projections_sub.add_parser("rebuild", help="rebuild one projection from position zero")
    rebuild.add_argument("name")
    staff = sub.add_parser("staff", help="staff accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="create a staff account (this is how the first admin is made)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown to colleagues")
    add.add_argument(
        "--role", action="append", required=True, choices=[str(r) for r in Role], help="repeat for several roles"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    keys = sub.add_parser("keys", help="master key operations")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser("rotate", help="re-wrap every data key under a new master key")
    rotate.add_argument("--new-key-file", type=Path, help="where to write the new key (default: the key file in use)")
    gdpr_commands.add_parsers(sub)
    certificate_commands.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
        return (
            asyncio.run(commands.run(arguments, settings))
            if arguments.command != "serve"
            else commands.serve(
                settings, demo=arguments.demo, projections=not arguments.no_projections, workers=arguments.workers
            )
        )
    except _EXPECTED_ERRORS as error:
        print(f"suivi: error: {_describe(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError | asyncpg.InterfaceError) and not isinstance(error, MasterKeyError):
        return f"cannot reach the database or a file: {error}"
    return str(error)


if __name__ == "__main__":
    sys.exit(main())
