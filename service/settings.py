"""Suivi's settings: one typed object, built once from an explicit mapping.

Every field has a docstring-style entry in ``SETTINGS_DOC``; a test checks that each
one is documented here and in the README's configuration table.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import msgspec

DEFAULT_DATA_DIR = Path(".suivi")

SETTINGS_DOC: dict[str, str] = {
    "DATABASE_URL": "PostgreSQL URL. Unset: Suivi starts its own embedded PostgreSQL in the data directory.",
    "SUIVI_DATA_DIR": "Directory for the embedded database and the generated master key file (default `.suivi`).",
    "SUIVI_MASTER_KEY": "Master key (KEK), 64 hex characters. Takes precedence over the key file.",
    "SUIVI_MASTER_KEY_FILE": "Path of the master key file (default `<data dir>/master.key`).",
    "SUIVI_HOST": "Address the HTTP service listens on (default `127.0.0.1`).",
    "SUIVI_PORT": "Port the HTTP service listens on (default `8000`).",
    "SUIVI_KEY_CACHE_SIZE": "How many unwrapped subject keys each process keeps in memory (default `10000`).",
    "SUIVI_POLL_INTERVAL": "Seconds between subscription polls when no notification arrives (default `1.0`).",
    "SUIVI_ENVIRONMENT": "`production` (default) or `development`; development allows session cookies over plain HTTP.",
    "SUIVI_SESSION_IDLE_MINUTES": "Minutes without activity after which a staff session ends (default `30`).",
    "SUIVI_ERASURE_LEDGER_FILE": "Erasure ledger kept outside the database, re-applied after a restore "
    "(default `<data dir>/erasure-ledger.jsonl`). Keep it off the database's backup volume.",
    "SUIVI_RETENTION_SOCIAL_LEGAL_YEARS": "Years social-legal data is kept after the person's last case closes "
    "(default `5`).",
    "SUIVI_RETENTION_TRAINING_YEARS": "Years training data is kept after the person's last cohort (default `3`).",
    "SUIVI_RETENTION_OFFICE_HOURS_YEARS": "Years office-hours data is kept after the person's last visit "
    "(default `2`).",
    "SUIVI_RETENTION_IDENTITY_ONLY_YEARS": "Years a person registered but never served is kept after the last "
    "change to their identity (default `1`).",
    "SUIVI_RETENTION_DAILY": "`true` (default) or `false`: whether `suivi serve` runs retention once a day.",
    "SUIVI_RIGHTS_REQUEST_WARNING_DAYS": "A rights request is *nearly due* this many days before its deadline "
    "(default `7`).",
    "SUIVI_CONTROLLER_NAME": "The controller named in the record of processing (default `Centre Suivi, Liège`).",
    "SUIVI_DPO_CONTACT": "How to reach the DPO, printed in the record of processing (default empty).",
}


class SettingsError(Exception):
    """A setting has a value Suivi cannot use. The message names the setting."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    master_key_hex: str | None = None
    master_key_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    key_cache_size: int = 10_000
    poll_interval: float = 1.0
    environment: str = "production"
    session_idle_minutes: int = 30
    erasure_ledger_file: Path | None = None
    retention_social_legal_years: int = 5
    retention_training_years: int = 3
    retention_office_hours_years: int = 2
    retention_identity_only_years: int = 1
    retention_daily: bool = True
    rights_request_warning_days: int = 7
    controller_name: str = "Centre Suivi, Liège"
    dpo_contact: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        data_dir = Path(environ.get("SUIVI_DATA_DIR", str(DEFAULT_DATA_DIR)))
        key_file = environ.get("SUIVI_MASTER_KEY_FILE")
        return cls(
            database_url=environ.get("DATABASE_URL") or None,
            data_dir=data_dir,
            master_key_hex=environ.get("SUIVI_MASTER_KEY") or None,
            master_key_file=Path(key_file) if key_file else None,
            host=environ.get("SUIVI_HOST", "127.0.0.1"),
            port=_int(environ, "SUIVI_PORT", 8000),
            key_cache_size=_int(environ, "SUIVI_KEY_CACHE_SIZE", 10_000),
            poll_interval=_float(environ, "SUIVI_POLL_INTERVAL", 1.0),
            environment=_choice(environ, "SUIVI_ENVIRONMENT", ("production", "development")),
            session_idle_minutes=_int(environ, "SUIVI_SESSION_IDLE_MINUTES", 30),
            erasure_ledger_file=Path(ledger) if (ledger := environ.get("SUIVI_ERASURE_LEDGER_FILE")) else None,
            retention_social_legal_years=_int(environ, "SUIVI_RETENTION_SOCIAL_LEGAL_YEARS", 5),
            retention_training_years=_int(environ, "SUIVI_RETENTION_TRAINING_YEARS", 3),
            retention_office_hours_years=_int(environ, "SUIVI_RETENTION_OFFICE_HOURS_YEARS", 2),
            retention_identity_only_years=_int(environ, "SUIVI_RETENTION_IDENTITY_ONLY_YEARS", 1),
            retention_daily=_choice(environ, "SUIVI_RETENTION_DAILY", ("true", "false")) == "true",
            rights_request_warning_days=_int(environ, "SUIVI_RIGHTS_REQUEST_WARNING_DAYS", 7),
            controller_name=environ.get("SUIVI_CONTROLLER_NAME", "Centre Suivi, Liège"),
            dpo_contact=environ.get("SUIVI_DPO_CONTACT", ""),
        )

    @property
    def key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def ledger_file(self) -> Path:
        return self.erasure_ledger_file or self.data_dir / "erasure-ledger.jsonl"

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    @property
    def secure_cookies(self) -> bool:
        return self.environment != "development"


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds") from None


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = environ.get(name, choices[0])
    if raw not in choices:
        raise SettingsError(f"{name} must be one of: {', '.join(choices)}")
    return raw
