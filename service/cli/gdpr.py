"""The DPO's ``suivi`` subcommands. They act as the system DPO (``guard.SYSTEM_DPO_ID``)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import asyncpg
import msgspec

from domain.errors import DomainError
from service.application.context import ApplicationContext
from service.gdpr import receipts
from service.gdpr.erasure import erase, plan_erasure
from service.gdpr.export import export_person
from service.gdpr.guard import SYSTEM_DPO
from service.gdpr.html import export_html, register_html
from service.gdpr.register import record_of_processing
from service.gdpr.requests import list_requests
from service.gdpr.restore import restore_check
from service.gdpr.retention import RetentionPolicy, run_retention
from service.gdpr.tools import ErasureTools
from service.settings import Settings
from service.storage.database import database_url
from service.storage.erasures import PersonErasedGoneError
from service.storage.keys import master_key
from service.storage.migrations import migrate
from service.storage.repository import AggregateErasedError, AggregateNotFoundError
from service.storage.runtime import open_runtime

COMMANDS = ("restore-check", "receipt", "retention", "record-of-processing", "export", "erase", "requests")
EXPECTED_ERRORS = (DomainError, AggregateNotFoundError, AggregateErasedError, PersonErasedGoneError)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("restore-check", help="re-apply the erasure ledger (after restoring a backup)")
    receipt = sub.add_parser("receipt", help="erasure receipts")
    receipt_sub = receipt.add_subparsers(dest="receipt_command", required=True)
    verify = receipt_sub.add_parser("verify", help="check a signed erasure receipt (JSON file)")
    verify.add_argument("file", type=Path)
    verify.add_argument("--public-key", help="the public key (hex) the receipt must be signed with")
    retention = sub.add_parser("retention", help="storage limitation")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    run = retention_sub.add_parser("run", help="erase the people past their retention period")
    run.add_argument("--dry-run", action="store_true", help="only list who is due")
    register = sub.add_parser("record-of-processing", help="print the record of processing (Art. 30)")
    register.add_argument("--html", action="store_true")
    register.add_argument("--language", choices=["fr", "en"], default="fr")
    export = sub.add_parser("export", help="export everything about a person (Art. 15 and 20)")
    export.add_argument("person_id", type=UUID)
    export.add_argument("--html", action="store_true", help="a printable document instead of JSON")
    export.add_argument("--language", choices=["fr", "en"], default="fr")
    export.add_argument("--output", type=Path, help="write to this file instead of standard output")
    erase_ = sub.add_parser("erase", help="erase a person (Art. 17) and print the signed receipt")
    erase_.add_argument("person_id", type=UUID)
    erase_.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    erase_.add_argument("--receipt", type=Path, help="also write the receipt to this file")
    requests = sub.add_parser("requests", help="list rights requests")
    requests.add_argument("--due", action="store_true", help="only overdue and nearly due requests")


async def run(arguments: argparse.Namespace, settings: Settings) -> int:
    if arguments.command == "receipt":
        return _verify_receipt(arguments.file, arguments.public_key)
    if arguments.command == "record-of-processing":
        register = record_of_processing(settings, datetime.now(UTC))
        _write(register_html(register, arguments.language).encode() if arguments.html else _json(register), None)
        return 0
    with database_url(settings) as url:
        key = master_key.load(settings.master_key_hex, settings.key_file, create=False)
        tools = ErasureTools.from_settings(settings, key)
        async with _context(url, key) as ctx:
            return await _run_with_context(arguments, settings, ctx, tools)


async def _run_with_context(
    arguments: argparse.Namespace, settings: Settings, ctx: ApplicationContext, tools: ErasureTools
) -> int:
    command = arguments.command
    if command == "restore-check":
        print("suivi: restore check: " + (await restore_check(ctx, tools)).summary())
    elif command == "retention":
        report = await run_retention(
            ctx, SYSTEM_DPO, tools, RetentionPolicy.from_settings(settings), dry_run=arguments.dry_run
        )
        _write(_json(report), None)
    elif command == "export":
        export = await export_person(ctx, SYSTEM_DPO, arguments.person_id)
        _write(export_html(export, arguments.language).encode() if arguments.html else _json(export), arguments.output)
    elif command == "erase" and arguments.dry_run:
        _write(_json(await plan_erasure(ctx, SYSTEM_DPO, arguments.person_id)), None)
    elif command == "erase":
        receipt = await erase(ctx, SYSTEM_DPO, arguments.person_id, tools)
        if arguments.receipt is not None:
            arguments.receipt.write_bytes(receipts.encode(receipt) + b"\n")
        _write(receipts.encode(receipt), None)
    else:
        found = await list_requests(
            ctx, SYSTEM_DPO, warning_days=settings.rights_request_warning_days, only_due=arguments.due
        )
        _write(_json(found), None)
    return 0


async def restore_check_at_start(url: str, key: master_key.MasterKey, settings: Settings) -> str:
    """What ``suivi serve`` runs before serving: returns the one-line summary."""
    async with _context(url, key) as ctx:
        return (await restore_check(ctx, ErasureTools.from_settings(settings, key))).summary()


def _verify_receipt(path: Path, public_key: str | None) -> int:
    try:
        receipt = receipts.verify_receipt(path.read_bytes(), public_key=public_key)
    except receipts.ReceiptInvalidError as error:
        print(f"suivi: receipt INVALID: {error}")
        return 1
    print(
        f"suivi: receipt {receipt.receipt_id} is valid: person {receipt.person_id} erased at "
        f"{receipt.erased_at.isoformat()}, {receipt.events_made_unreadable} events made unreadable, "
        f"signed by {receipt.public_key}"
    )
    return 0


def _json(value: object) -> bytes:
    return msgspec.json.format(msgspec.json.encode(value), indent=2)


def _write(data: bytes, output: Path | None) -> None:
    if output is not None:
        output.write_bytes(data)
        print(f"suivi: written to {output}")
        return
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.flush()


@contextlib.asynccontextmanager
async def _context(url: str, key: master_key.MasterKey) -> AsyncIterator[ApplicationContext]:
    connection = await asyncpg.connect(url)
    try:
        await migrate(connection)
    finally:
        await connection.close()
    async with open_runtime(url, key, pool_size=2) as runtime:
        yield ApplicationContext.from_runtime(runtime)
