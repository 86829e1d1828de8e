"""The set of projections the service runs, wired to the key store."""

from __future__ import annotations

from projections.access_log import AccessLogProjection
from projections.agenda import AgendaProjection
from projections.base import Projection
from projections.blind_index import BlindIndex
from projections.board import BoardProjection
from projections.case_file import CaseFileProjection
from projections.caseload import CaseloadProjection
from projections.certificates import CertificateRegisterProjection
from projections.directory import DirectoryProjection
from projections.documents import DocumentRegisterProjection
from projections.roster import RosterProjection
from projections.statistics import StatisticsProjection
from projections.training_history import TrainingHistoryProjection
from service.storage.keys.subject_keys import KeyStore
from service.storage.sealer import SubjectSealer

PROJECTION_CLASSES: tuple[type[Projection], ...] = (
    CaseFileProjection,
    DirectoryProjection,
    CaseloadProjection,
    RosterProjection,
    BoardProjection,
    TrainingHistoryProjection,
    AccessLogProjection,
    StatisticsProjection,
    CertificateRegisterProjection,
    AgendaProjection,
    DocumentRegisterProjection,
)
PROJECTION_SCHEMAS = {p.name: p.schema for p in PROJECTION_CLASSES}
"""Each projection's name and schema, for status and readiness (no keys needed)."""

BLIND_INDEX_SECRET = "blind-index"  # noqa: S105 (the name of a secret kept in the database, not a secret)


async def blind_index(keys: KeyStore) -> BlindIndex:
    return BlindIndex(await keys.system_secret(BLIND_INDEX_SECRET))


async def all_projections(keys: KeyStore) -> list[Projection]:
    sealer = SubjectSealer(keys)
    index = await blind_index(keys)
    return [
        CaseFileProjection(sealer),
        DirectoryProjection(sealer, index),
        CaseloadProjection(),
        RosterProjection(),
        BoardProjection(),
        TrainingHistoryProjection(),
        AccessLogProjection(sealer),
        StatisticsProjection(index),
        CertificateRegisterProjection(),
        AgendaProjection(),
        DocumentRegisterProjection(),
    ]
