"""The human-readable file number of a person (numéro de dossier), ``2026-00042``."""

from __future__ import annotations

import asyncpg

_NEXT_NUMBER = """
INSERT INTO file_number_counters (year, last_number) VALUES ($1, 1)
ON CONFLICT (year) DO UPDATE SET last_number = file_number_counters.last_number + 1
RETURNING last_number
"""


async def allocate_file_number(pool: asyncpg.Pool, year: int) -> str:
    """The next number of ``year``. Unique and increasing; a failed registration leaves a gap."""
    async with pool.acquire() as connection:
        number = await connection.fetchval(_NEXT_NUMBER, year)
    return f"{year}-{int(number):05d}"
