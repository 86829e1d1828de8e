"""The directory: find a person by name, birth date, file number or NISS, through a blind index.

Names and details are sealed under the person's key; the index holds only keyed HMACs
of normalised name tokens, of their trigrams (for small typing mistakes), of the birth
date, of the file number and of the national register number (NISS). Possible duplicates
are flagged at registration: the same NISS, the very same full name, or a similar name
with the same birth date.

Two records of one person, once merged, read as one: the duplicate's row names the kept
record (``merged_into``), a search that finds the duplicate lists the kept record, and
nobody is flagged as a duplicate of a record merged away.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.person import Person, PersonDetails
from projections.base import ERASED, Db, Envelope, Projection, Sealer, handles
from projections.blind_index import BlindIndex
from projections.case_file import CaseFileEntry, read_case_file
from projections.text import tokens, trigrams

_FILE_NUMBER = re.compile(r"^\d{4}-\d{5}$")
_NISS_WRITING = re.compile(r"[\s./-]")
"""What people type between the digits of a NISS (85.07.30-033.28)."""
_DETAILS = msgspec.msgpack.Encoder()
_TRIGRAM_MATCH = 0.5  # share of the query's trigrams a name must contain to count as a match


class Listing(msgspec.Struct, frozen=True):
    person_id: UUID
    file_number: str
    details: PersonDetails
    registered_at: datetime
    restricted: bool
    possible_duplicates: tuple[UUID, ...]


class _Sealed(msgspec.Struct, frozen=True):
    file_number: str
    details: PersonDetails


class DirectoryProjection(Projection):
    name = "directory"
    schema = "rm_directory"

    def __init__(self, sealer: Sealer, index: BlindIndex) -> None:
        self._sealer = sealer
        self._index = index
        self._registrations: list[Envelope] = []

    def begin(self) -> None:
        self._registrations = []

    async def flush(self, db: Db) -> None:
        await self._settle(db)

    @handles(Person.Registered)
    async def _registered(self, db: Db, envelope: Envelope) -> None:
        # Gathered: registrations are stored together, before any other change of the directory.
        self._registrations.append(envelope)

    async def _settle(self, db: Db) -> None:
        """Store the registrations gathered so far: keys, known tokens, rows and tokens in a few queries for all.

        Each is compared with the directory as it stood before it, the registrations gathered before it included.
        """
        registrations, self._registrations = self._registrations, []
        if not registrations:
            return
        ciphers = await self._sealer.ciphers(e.stream_id for e in registrations)
        each = [_Tokens(self._index, e.event.file_number, e.event.details) for e in registrations]
        known = await _KnownTokens.load(db, each)
        found: list[tuple[Envelope, bytes, set[UUID]]] = []
        tokens_rows: list[tuple[UUID, str, bytes]] = []
        for envelope, its_tokens in zip(registrations, each, strict=True):
            event: Person.Registered = envelope.event
            person_id = envelope.stream_id
            candidates = known.candidates(its_tokens, person_id)
            cipher = ciphers.get(person_id)
            if cipher is None:
                continue  # erased since: nothing of them is kept
            entries = its_tokens.entries()
            known.add(person_id, entries)
            sealed = cipher.seal(_DETAILS.encode(_Sealed(event.file_number, event.details)), _context(person_id))
            found.append((envelope, sealed, candidates))
            tokens_rows += [(person_id, kind, token) for kind, token in entries]
        if not found:
            return
        kept = await known.kept(db, set().union(*(c for _, _, c in found)))
        await db.executemany(
            """INSERT INTO people (person_id, details_sealed, registered_at, possible_duplicates)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (person_id) DO UPDATE SET details_sealed = $2, possible_duplicates = $4""",
            [
                (e.stream_id, sealed, e.recorded_at, sorted({kept[c] for c in cands if c in kept} - {e.stream_id}))
                for e, sealed, cands in found
            ],
        )
        await db.executemany(
            "INSERT INTO tokens (person_id, kind, token) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", tokens_rows
        )

    @handles(Person.DetailsCorrected)
    async def _corrected(self, db: Db, envelope: Envelope) -> None:
        await self._settle(db)
        row = await db.fetchrow(
            "SELECT details_sealed, registered_at FROM people WHERE person_id = $1", envelope.stream_id
        )
        cipher = await self._sealer.cipher(envelope.stream_id)
        if row is None or cipher is None:
            return
        previous = msgspec.msgpack.decode(
            cipher.open(row["details_sealed"], _context(envelope.stream_id)), type=_Sealed
        )
        await self._store(db, envelope.stream_id, previous.file_number, envelope.event.details, row["registered_at"])

    @handles(Person.MergedInto)
    async def _merged(self, db: Db, envelope: Envelope) -> None:
        await self._settle(db)
        duplicate, kept = envelope.stream_id, envelope.event.kept_id
        # Records merged into the duplicate earlier now read as the kept record too.
        await db.execute("UPDATE people SET merged_into = $2 WHERE person_id = $1 OR merged_into = $1", duplicate, kept)
        await db.execute(
            """UPDATE people SET possible_duplicates = ARRAY(
                   SELECT DISTINCT d FROM unnest(array_replace(possible_duplicates, $1, $2)) AS d
                   WHERE d <> person_id ORDER BY d)
               WHERE $1 = ANY(possible_duplicates)""",
            duplicate,
            kept,
        )

    @handles(Person.ProcessingRestricted)
    async def _restricted(self, db: Db, envelope: Envelope) -> None:
        await self._settle(db)
        await db.execute("UPDATE people SET restricted = true WHERE person_id = $1", envelope.stream_id)

    @handles(Person.RestrictionLifted)
    async def _lifted(self, db: Db, envelope: Envelope) -> None:
        await self._settle(db)
        await db.execute("UPDATE people SET restricted = false WHERE person_id = $1", envelope.stream_id)

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await self._settle(db)
        await db.execute("DELETE FROM tokens WHERE person_id = $1", envelope.stream_id)
        await db.execute("DELETE FROM people WHERE person_id = $1", envelope.stream_id)
        await db.execute(
            "UPDATE people SET possible_duplicates = array_remove(possible_duplicates, $1)", envelope.stream_id
        )

    async def _store(
        self,
        db: Db,
        person_id: UUID,
        file_number: str,
        details: PersonDetails,
        registered_at: datetime,
        *,
        replace: bool = True,
    ) -> bool:
        cipher = await self._sealer.cipher(person_id)
        if cipher is None:
            return False
        sealed = cipher.seal(_DETAILS.encode(_Sealed(file_number, details)), _context(person_id))
        await db.execute(
            """INSERT INTO people (person_id, details_sealed, registered_at) VALUES ($1, $2, $3)
               ON CONFLICT (person_id) DO UPDATE SET details_sealed = $2""",
            person_id,
            sealed,
            registered_at,
        )
        if replace:
            await db.execute("DELETE FROM tokens WHERE person_id = $1", person_id)
        entries = _Tokens(self._index, file_number, details).entries()
        await db.executemany(
            "INSERT INTO tokens (person_id, kind, token) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [(person_id, kind, token) for kind, token in entries],
        )
        return True


class _KnownTokens:
    """The blind-index tokens a batch of registrations is compared with: loaded once, added to as each is stored.

    Finds what ``possible_duplicates`` finds, for many registrations at once.
    """

    def __init__(self) -> None:
        self._holders: dict[tuple[str, bytes], set[UUID]] = {}
        self._trigrams: dict[UUID, set[bytes]] = {}
        self._added: set[UUID] = set()

    @classmethod
    async def load(cls, db: Db, registered: list[_Tokens]) -> _KnownTokens:
        known = cls()
        wanted: set[tuple[str, bytes]] = set()
        for its_tokens in registered:
            wanted |= {("name", t) for t in its_tokens.names}
            if its_tokens.niss is not None:
                wanted.add(("niss", its_tokens.niss))
            if its_tokens.birth is not None:
                wanted.add(("birth", its_tokens.birth))
        rows = await db.fetch(
            """SELECT t.kind, t.token, t.person_id FROM tokens t
               JOIN unnest($1::text[], $2::bytea[]) AS w(kind, token) ON t.kind = w.kind AND t.token = w.token""",
            [kind for kind, _ in wanted],
            [token for _, token in wanted],
        )
        born: set[UUID] = set()
        for row in rows:
            known._holders.setdefault((row["kind"], row["token"]), set()).add(row["person_id"])
            if row["kind"] == "birth":
                born.add(row["person_id"])
        if born:
            # Only people born the same day as one registered are compared by trigrams, as possible_duplicates does.
            for row in await db.fetch(
                "SELECT person_id, token FROM tokens WHERE kind = 'tri' AND person_id = ANY($1)", list(born)
            ):
                known._trigrams.setdefault(row["person_id"], set()).add(row["token"])
        return known

    def add(self, person_id: UUID, entries: list[tuple[str, bytes]]) -> None:
        self._added.add(person_id)
        for kind, token in entries:
            if kind == "tri":
                self._trigrams.setdefault(person_id, set()).add(token)
            else:
                self._holders.setdefault((kind, token), set()).add(person_id)

    def candidates(self, its_tokens: _Tokens, person_id: UUID) -> set[UUID]:
        """The same full name, the same NISS, or a similar name and the same birth date (before merges are followed)."""
        found: set[UUID] = set()
        if its_tokens.names:
            found |= set.intersection(*(self._holders.get(("name", t), set()) for t in its_tokens.names))
        if its_tokens.niss is not None:
            found |= self._holders.get(("niss", its_tokens.niss), set())
        if its_tokens.birth is not None:
            same_day = self._holders.get(("birth", its_tokens.birth), set()) - {person_id}
            matches: set[UUID] | None = None
            for wanted, needed in its_tokens.words:
                close = {p for p in same_day if len(self._trigrams.get(p, set()) & wanted) >= needed}
                matches = close if matches is None else matches & close
            found |= matches or set()
        return found

    async def kept(self, db: Db, person_ids: set[UUID]) -> dict[UUID, UUID]:
        """Each person as the record they read as (those with no record are absent)."""
        kept = {p: p for p in person_ids & self._added}
        rest = list(person_ids - self._added)
        if rest:
            rows = await db.fetch(
                "SELECT person_id, coalesce(merged_into, person_id) AS kept FROM people WHERE person_id = ANY($1)", rest
            )
            kept.update({row["person_id"]: row["kept"] for row in rows})
        return kept


def _full_name(details: PersonDetails) -> str:
    return " ".join((details.given_name, details.family_name))


async def possible_duplicates(
    db: Db, index: BlindIndex, details: PersonDetails, person_id: UUID | None = None, *, schema: str = "rm_directory."
) -> list[UUID]:
    """The same NISS, the very same full name, or a similar name and the same birth date.

    ``schema`` is empty inside the projection (its schema is on the search path). Records
    merged away are never listed: the record they were merged into is.
    """
    tokens_table = f"{schema}tokens"
    names = " ".join((details.given_name, details.family_name))
    candidates = await _name_matches(db, index, names, exact=True, table=tokens_table)
    if details.niss:
        same = await db.fetch(
            f"SELECT person_id FROM {tokens_table} WHERE kind = 'niss' AND token = $1",
            index.national_number(details.niss),
        )
        candidates |= {r["person_id"] for r in same}
    if details.birth_date is not None:
        born = await db.fetch(
            f"SELECT person_id FROM {tokens_table} WHERE kind = 'birth' AND token = $1",
            index.birth_date(details.birth_date),
        )
        # Only people born that day are compared by trigrams: comparing with the whole
        # directory would make every registration slower than the one before.
        same_day = [r["person_id"] for r in born if r["person_id"] != person_id]
        if same_day:
            candidates |= await _name_matches(db, index, names, exact=False, table=tokens_table, among=same_day)
    found = await _as_kept(db, candidates, schema)
    found.discard(person_id)
    return sorted(found)


async def _as_kept(db: Db, person_ids: set[UUID], schema: str = "rm_directory.") -> set[UUID]:
    """Each person as the record they read as: a record merged away is the one it was merged into."""
    if not person_ids:
        return set()
    rows = await db.fetch(
        f"SELECT coalesce(merged_into, person_id) AS kept FROM {schema}people WHERE person_id = ANY($1)",
        list(person_ids),
    )
    return {r["kept"] for r in rows}


async def kept_record_of(db: Db, person_id: UUID) -> UUID:
    """The record this person reads as: the kept one if it was merged into another, else itself."""
    kept = await db.fetchval("SELECT merged_into FROM rm_directory.people WHERE person_id = $1", person_id)
    return person_id if kept is None else UUID(str(kept))


async def merged_records(db: Db, person_id: UUID) -> list[UUID]:
    """The records merged into this one (directly or through another merged record), oldest first."""
    rows = await db.fetch(
        "SELECT person_id FROM rm_directory.people WHERE merged_into = $1 ORDER BY registered_at", person_id
    )
    return [r["person_id"] for r in rows]


async def records_read_as_one(db: Db, person_id: UUID) -> list[UUID]:
    """Every record of this person: the kept one first, then those merged into it."""
    kept = await kept_record_of(db, person_id)
    return [kept, *await merged_records(db, kept)]


async def case_file_as_one(
    db: Db, sealer: Sealer, person_id: UUID, categories: frozenset[str] | None = None
) -> list[CaseFileEntry]:
    """The timeline of every record of the person (merged ones too), oldest first; each read with its own key."""
    entries: list[CaseFileEntry] = []
    for record in await records_read_as_one(db, person_id):
        entries += await read_case_file(db, sealer, record, categories)
    return sorted(entries, key=lambda entry: entry.position)


class _Tokens:
    """A registration's blind-index tokens, computed once for its look-ups and for its rows."""

    __slots__ = ("birth", "file", "names", "niss", "words")

    def __init__(self, index: BlindIndex, file_number: str, details: PersonDetails) -> None:
        words = tokens(_full_name(details))
        self.file = index.file_number(file_number)
        self.names = index.name_tokens(*words)
        self.words = [(index.trigram_tokens(w), max(1, int(len(trigrams(w)) * _TRIGRAM_MATCH))) for w in words]
        """For each word of the name: its trigram tokens, and how many a similar name shares at least."""
        self.birth = None if details.birth_date is None else index.birth_date(details.birth_date)
        self.niss = index.national_number(details.niss) if details.niss else None

    def entries(self) -> list[tuple[str, bytes]]:
        entries = [("file", self.file)]
        entries += [("name", token) for token in self.names]
        entries += [("tri", token) for token in set().union(*(wanted for wanted, _ in self.words))]
        if self.birth is not None:
            entries.append(("birth", self.birth))
        if self.niss is not None:
            entries.append(("niss", self.niss))
        return entries


async def _name_matches(
    db: Db, index: BlindIndex, query: str, *, exact: bool, table: str = "tokens", among: list[UUID] | None = None
) -> set[UUID]:
    """``table`` is unqualified inside the projection (its schema is on the search path).

    ``among`` limits the comparison to those people.
    """
    words = tokens(query)
    if not words:
        return set()
    if exact:
        wanted = list(index.name_tokens(query))
        rows = await db.fetch(
            f"""SELECT person_id FROM {table} WHERE kind = 'name' AND token = ANY($1)
                  AND ($3::uuid[] IS NULL OR person_id = ANY($3::uuid[]))
               GROUP BY person_id HAVING count(DISTINCT token) = $2""",
            wanted,
            len(wanted),
            among,
        )
        return {r["person_id"] for r in rows}
    # Every word of the query must be close to some name of the person.
    matches: set[UUID] | None = None
    for word in words:
        wanted = list(index.trigram_tokens(word))
        rows = await db.fetch(
            f"""SELECT person_id FROM {table} WHERE kind = 'tri' AND token = ANY($1)
                  AND ($3::uuid[] IS NULL OR person_id = ANY($3::uuid[]))
               GROUP BY person_id HAVING count(*) >= $2""",
            wanted,
            max(1, int(len(trigrams(word)) * _TRIGRAM_MATCH)),
            among,
        )
        found = {r["person_id"] for r in rows}
        matches = found if matches is None else matches & found
    return matches or set()


async def search(db: Db, sealer: Sealer, index: BlindIndex, query: str, *, limit: int = 20) -> list[Listing]:
    """People whose file number, NISS, birth date (YYYY-MM-DD) or name matches ``query``.

    A record merged into another is found as the record it was merged into (listed once).
    """
    text = query.strip()
    person_ids: set[UUID]
    niss = _NISS_WRITING.sub("", text)
    if len(niss) == 11 and niss.isdigit():
        rows = await db.fetch(
            "SELECT person_id FROM rm_directory.tokens WHERE kind = 'niss' AND token = $1", index.national_number(niss)
        )
        person_ids = {r["person_id"] for r in rows}
    elif _FILE_NUMBER.match(text):
        rows = await db.fetch(
            "SELECT person_id FROM rm_directory.tokens WHERE kind = 'file' AND token = $1", index.file_number(text)
        )
        person_ids = {r["person_id"] for r in rows}
    elif _is_date(text):
        rows = await db.fetch(
            "SELECT person_id FROM rm_directory.tokens WHERE kind = 'birth' AND token = $1",
            index.birth_date(date.fromisoformat(text)),
        )
        person_ids = {r["person_id"] for r in rows}
    else:
        exact = await _name_matches(db, index, text, exact=True, table="rm_directory.tokens")
        person_ids = exact or await _name_matches(db, index, text, exact=False, table="rm_directory.tokens")
    return await listings(db, sealer, sorted(await _as_kept(db, person_ids)), limit=limit)


async def listings(db: Db, sealer: Sealer, person_ids: list[UUID], *, limit: int = 20) -> list[Listing]:
    rows = await db.fetch(
        """SELECT person_id, details_sealed, registered_at, restricted, possible_duplicates
           FROM rm_directory.people WHERE person_id = ANY($1) ORDER BY registered_at LIMIT $2""",
        person_ids,
        limit,
    )
    found = []
    ciphers = await sealer.ciphers(row["person_id"] for row in rows)
    for row in rows:
        cipher = ciphers.get(row["person_id"])
        if cipher is None:
            continue
        sealed = msgspec.msgpack.decode(cipher.open(row["details_sealed"], _context(row["person_id"])), type=_Sealed)
        found.append(
            Listing(
                person_id=row["person_id"],
                file_number=sealed.file_number,
                details=sealed.details,
                registered_at=row["registered_at"],
                restricted=row["restricted"],
                possible_duplicates=tuple(row["possible_duplicates"]),
            )
        )
    return found


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _context(person_id: UUID) -> bytes:
    return b"directory:" + person_id.bytes
