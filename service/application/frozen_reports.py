"""Reports handed out to funders, kept as the bytes handed out, each with its SHA-256 digest.

A frozen report is never computed again: its JSON, CSV and XLSX are made once, when it is
issued, and stored as they are. Later events, an erasure, a rebuild of the statistics or a
new word in the catalogue change nothing in what was handed out, and the digest says so.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from projections.base import Db
from service.application.reports import Period, StatisticsReport

Format = Literal["json", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "csv", "xlsx")


class IssuedReport(msgspec.Struct, frozen=True):
    """What the JSON of a frozen report holds: the report as handed out, and when."""

    report_id: UUID
    issued_at: datetime
    report: StatisticsReport


class FrozenFile(msgspec.Struct, frozen=True):
    content: bytes
    digest: bytes


class FrozenReport(msgspec.Struct, frozen=True):
    """One line of the list of reports handed out (digests in hexadecimal)."""

    report_id: UUID
    period: str
    period_from: date
    period_to: date
    issued_at: datetime
    issued_by: UUID
    digests: dict[str, str]


def digest(content: bytes) -> bytes:
    return hashlib.sha256(content).digest()


async def store(db: Db, issued: IssuedReport, issued_by: UUID, language: str, files: dict[Format, bytes]) -> None:
    """Keep the report and its files in one transaction (``db`` is in one)."""
    await db.execute(
        """INSERT INTO statistics_reports (report_id, period_from, period_to, issued_at, issued_by, language)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        issued.report_id,
        issued.report.period_from,
        issued.report.period_to,
        issued.issued_at,
        issued_by,
        language,
    )
    await db.executemany(
        "INSERT INTO statistics_report_files (report_id, format, content, digest) VALUES ($1, $2, $3, $4)",
        [(issued.report_id, kind, content, digest(content)) for kind, content in files.items()],
    )


async def frozen_file(db: Db, report_id: UUID, kind: Format) -> FrozenFile | None:
    row = await db.fetchrow(
        "SELECT content, digest FROM statistics_report_files WHERE report_id = $1 AND format = $2", report_id, kind
    )
    return None if row is None else FrozenFile(bytes(row["content"]), bytes(row["digest"]))


async def frozen_reports(db: Db) -> list[FrozenReport]:
    """Every report handed out, the latest first."""
    rows = await db.fetch(
        """SELECT r.report_id, r.period_from, r.period_to, r.issued_at, r.issued_by,
                  coalesce(jsonb_object_agg(f.format, encode(f.digest, 'hex'))
                           FILTER (WHERE f.format IS NOT NULL), '{}') AS digests
           FROM statistics_reports r LEFT JOIN statistics_report_files f USING (report_id)
           GROUP BY r.report_id ORDER BY r.issued_at DESC, r.report_id"""
    )
    return [
        FrozenReport(
            report_id=row["report_id"],
            period=Period(row["period_from"], row["period_to"]).code,
            period_from=row["period_from"],
            period_to=row["period_to"],
            issued_at=row["issued_at"],
            issued_by=row["issued_by"],
            digests=msgspec.json.decode(row["digests"]) if isinstance(row["digests"], str) else dict(row["digests"]),
        )
        for row in rows
    ]
