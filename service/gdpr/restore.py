"""``suivi restore-check``: make every recorded erasure true again, e.g. after a restore.

The erasure ledger lives twice: in the database (``erasure_ledger``) and in a file outside it
(``SUIVI_ERASURE_LEDGER_FILE``). A database restored from an older backup has lost the recent
rows, but not the file. The check, run by ``suivi restore-check`` and at every ``suivi serve``:

1. puts back the ledger rows and receipts the file has and the database lacks;
2. writes to the file the rows the database has and the file lacks (a crash between the
   commit and the file write, or a file lost on its own);
3. keeps the access log of a person whose key the backup brought back, pseudonymously (as the
   erasure did: ``kept_access_log``), then destroys every key the ledger names;
4. appends any missing tombstone, purges the read models and issues missing receipts.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.person import Person
from service.application import kept_access_log
from service.application.context import ApplicationContext
from service.gdpr import purge
from service.gdpr.erasure import finish_erasure
from service.gdpr.guard import SYSTEM_DPO_ID
from service.gdpr.receipts import ErasureReceipt, store_receipt
from service.gdpr.tools import ErasureTools, LedgerEntry
from service.storage.database import Connection


class RestoreReport(msgspec.Struct, kw_only=True):
    ledger_rows_restored: int = 0
    receipts_restored: int = 0
    file_entries_added: int = 0
    keys_destroyed: int = 0
    erasures_finished: int = 0
    read_model_rows_purged: int = 0

    def summary(self) -> str:
        return (
            f"{self.ledger_rows_restored} ledger rows and {self.receipts_restored} receipts restored, "
            f"{self.file_entries_added} added to the ledger file, {self.keys_destroyed} keys destroyed, "
            f"{self.erasures_finished} erasures finished, {self.read_model_rows_purged} read-model rows purged"
        )


async def restore_check(ctx: ApplicationContext, tools: ErasureTools) -> RestoreReport:
    report = RestoreReport()
    in_file: dict[UUID, LedgerEntry] = {}
    for entry in tools.ledger.read():  # a line with the receipt wins over the one without
        if entry.receipt or entry.subject_id not in in_file:
            in_file[entry.subject_id] = entry
    with_receipt = {subject for subject, entry in in_file.items() if entry.receipt}
    async with ctx.pool.acquire() as db:
        async with db.transaction():
            if in_file:
                status = await db.execute(
                    """INSERT INTO erasure_ledger (subject_id, erased_at)
                       SELECT * FROM unnest($1::uuid[], $2::timestamptz[]) ON CONFLICT DO NOTHING""",
                    list(in_file),
                    [entry.erased_at for entry in in_file.values()],
                )
                report.ledger_rows_restored = int(status.split()[-1])
            for entry in in_file.values():
                if entry.receipt and not await db.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM erasure_receipts WHERE person_id = $1)", entry.subject_id
                ):
                    await store_receipt(db, msgspec.json.decode(entry.receipt, type=ErasureReceipt))
                    report.receipts_restored += 1
        ledger = await db.fetch("SELECT subject_id, erased_at FROM erasure_ledger ORDER BY erased_at, subject_id")
        receipts = {
            row["person_id"]: row["document"]
            for row in await db.fetch("SELECT person_id, document FROM erasure_receipts")
        }
    missing = [
        LedgerEntry(row["subject_id"], row["erased_at"], _text(receipts.get(row["subject_id"])))
        for row in ledger
        if row["subject_id"] not in in_file or (row["subject_id"] in receipts and row["subject_id"] not in with_receipt)
    ]
    tools.ledger.append(missing)
    report.file_entries_added = len(missing)
    await _keep_access_logs_of_restored_keys(ctx)
    report.keys_destroyed = await ctx.keys.reapply_erasure_ledger()
    erased = [row["subject_id"] for row in ledger]
    async with ctx.pool.acquire() as db:
        report.read_model_rows_purged = await purge.purge(db, erased)
        people = await _unfinished(db, erased, ctx.repository.codec.topic_of_class(Person.Erased))
    for person_id in people:
        await finish_erasure(ctx, person_id, ctx.clock(), SYSTEM_DPO_ID, tools, key_destroyed=False)
        report.erasures_finished += 1
    return report


async def _keep_access_logs_of_restored_keys(ctx: ApplicationContext) -> None:
    """A backup older than an erasure lacks the access log kept at that erasure: keep it again, before the key goes."""
    async with ctx.pool.acquire() as db:
        restored = await db.fetch("SELECT subject_id FROM subject_keys JOIN erasure_ledger USING (subject_id)")
    for row in restored:
        copies = await kept_access_log.copies_of(ctx, row["subject_id"])
        async with ctx.pool.acquire() as db:
            await copies.write(db)


async def _unfinished(db: Connection, erased: list[UUID], tombstone: str) -> list[UUID]:
    """Erased subjects that are people (a stream of their own) without a tombstone or a receipt."""
    rows = await db.fetch(
        """SELECT l FROM unnest($1::uuid[]) AS l
           WHERE EXISTS (SELECT 1 FROM events e WHERE e.stream_id = l AND e.version = 1)
             AND (NOT EXISTS (SELECT 1 FROM erasure_receipts r WHERE r.person_id = l)
                  OR NOT EXISTS (SELECT 1 FROM events t WHERE t.stream_id = l AND t.topic = $2))""",
        erased,
        tombstone,
    )
    return [row[0] for row in rows]


def _text(document: bytes | None) -> str | None:
    return None if document is None else msgspec.json.encode(msgspec.json.decode(document)).decode()
