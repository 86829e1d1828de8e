"""Suivi's settings: one typed object, built once from an explicit mapping.

Each setting is declared once, as a field of ``Settings``: its type, its default, and (in its
``Annotated`` metadata) the environment variable it is read from and what it means. Reading
(``Settings.from_env``), the documentation (``settings_doc()``, the README's configuration table)
and the defaults all come from that one declaration.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec


def _env(name: str, description: str) -> msgspec.Meta:
    """The variable a setting is read from and what it means; the default is added to the text."""
    return msgspec.Meta(description=description, extra={"env": name})


class SettingsError(Exception):
    """A setting has a value Suivi cannot use. The message names the setting."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: Annotated[
        str | None,
        _env("DATABASE_URL", "PostgreSQL URL. Unset: Suivi starts its own embedded PostgreSQL in the data directory."),
    ] = None
    data_dir: Annotated[
        Path, _env("SUIVI_DATA_DIR", "Directory for the embedded database and the generated master key file.")
    ] = Path(".suivi")
    master_key_hex: Annotated[
        str | None,
        _env("SUIVI_MASTER_KEY", "Master key (KEK), 64 hex characters. Takes precedence over the key file."),
    ] = None
    master_key_file: Annotated[
        Path | None, _env("SUIVI_MASTER_KEY_FILE", "Path of the master key file (default `<data dir>/master.key`).")
    ] = None
    host: Annotated[str, _env("SUIVI_HOST", "Address the HTTP service listens on.")] = "127.0.0.1"
    port: Annotated[int, _env("SUIVI_PORT", "Port the HTTP service listens on.")] = 8000
    key_cache_size: Annotated[
        int, _env("SUIVI_KEY_CACHE_SIZE", "How many unwrapped subject keys each process keeps in memory.")
    ] = 10_000
    poll_interval: Annotated[
        float, _env("SUIVI_POLL_INTERVAL", "Seconds between subscription polls when no notification arrives.")
    ] = 1.0
    ready_max_lag_seconds: Annotated[
        float,
        _env(
            "SUIVI_READY_MAX_LAG_SECONDS",
            "Seconds a projection may leave an event unprocessed before `/ready` answers 503; "
            "one that makes no progress for as long is shown `stalled`.",
        ),
    ] = 10.0
    environment: Annotated[
        Literal["production", "development"],
        _env("SUIVI_ENVIRONMENT", "Development allows session cookies over plain HTTP."),
    ] = "production"
    session_idle_minutes: Annotated[
        int, _env("SUIVI_SESSION_IDLE_MINUTES", "Minutes without activity after which a staff session ends.")
    ] = 30
    erasure_ledger_file: Annotated[
        Path | None,
        _env(
            "SUIVI_ERASURE_LEDGER_FILE",
            "Erasure ledger kept outside the database, re-applied after a restore "
            "(default `<data dir>/erasure-ledger.jsonl`). Keep it off the database's backup volume.",
        ),
    ] = None
    retention_social_legal_years: Annotated[
        int,
        _env(
            "SUIVI_RETENTION_SOCIAL_LEGAL_YEARS", "Years social-legal data is kept after the person's last case closes."
        ),
    ] = 5
    retention_training_years: Annotated[
        int, _env("SUIVI_RETENTION_TRAINING_YEARS", "Years training data is kept after the person's last cohort.")
    ] = 3
    retention_office_hours_years: Annotated[
        int,
        _env("SUIVI_RETENTION_OFFICE_HOURS_YEARS", "Years office-hours data is kept after the person's last visit."),
    ] = 2
    retention_identity_only_years: Annotated[
        int,
        _env(
            "SUIVI_RETENTION_IDENTITY_ONLY_YEARS",
            "Years a person registered but never served is kept after the last change to their identity.",
        ),
    ] = 1
    retention_daily: Annotated[
        bool, _env("SUIVI_RETENTION_DAILY", "Whether `suivi serve` runs retention once a day.")
    ] = True
    rights_request_warning_days: Annotated[
        int,
        _env(
            "SUIVI_RIGHTS_REQUEST_WARNING_DAYS", "A rights request is *nearly due* this many days before its deadline."
        ),
    ] = 7
    controller_name: Annotated[
        str, _env("SUIVI_CONTROLLER_NAME", "The controller named in the record of processing.")
    ] = "Centre Suivi, Liège"
    dpo_contact: Annotated[
        str, _env("SUIVI_DPO_CONTACT", "How to reach the DPO, printed in the record of processing.")
    ] = ""
    sites: Annotated[
        str,
        _env(
            "SUIVI_SITES",
            "The centre's sites where office hours are held, separated by commas; the first is the main one.",
        ),
    ] = "Liège centre,Seraing"
    public_url: Annotated[
        str,
        _env(
            "SUIVI_PUBLIC_URL",
            "The address the public reaches Suivi at; printed in the QR code of each certificate.",
        ),
    ] = "http://127.0.0.1:8000"
    small_cell_threshold: Annotated[
        int,
        _env(
            "SUIVI_SMALL_CELL_THRESHOLD",
            "Published statistics show no count below this (nor a gain or rate of a smaller group).",
        ),
    ] = 5
    completion_attendance_percent: Annotated[
        int,
        _env(
            "SUIVI_COMPLETION_ATTENDANCE_PERCENT",
            "Share of a cohort's sessions (in %) a learner must attend to complete it without a written reason.",
        ),
    ] = 80
    centre_address: Annotated[
        str,
        _env(
            "SUIVI_CENTRE_ADDRESS",
            "The centre's address, the only place a reminder names (never the service or the staff member).",
        ),
    ] = "Rue de la Régence 1, 4000 Liège"
    reminder_days_before: Annotated[
        int, _env("SUIVI_REMINDER_DAYS_BEFORE", "Days before an appointment its reminder is sent.")
    ] = 1
    reminder_hour: Annotated[
        int,
        _env("SUIVI_REMINDER_HOUR", "Hour of the day (Brussels time) from which that day's reminders are sent."),
    ] = 10
    smtp_host: Annotated[
        str | None, _env("SUIVI_SMTP_HOST", "SMTP server for email reminders. Unset: no email is sent.")
    ] = None
    smtp_port: Annotated[int, _env("SUIVI_SMTP_PORT", "Port of the SMTP server.")] = 587
    smtp_tls: Annotated[
        Literal["starttls", "tls", "none"],
        _env("SUIVI_SMTP_TLS", "How the SMTP connection is protected (`none` only for a server on this machine)."),
    ] = "starttls"
    smtp_username: Annotated[
        str | None, _env("SUIVI_SMTP_USERNAME", "SMTP user name, when the server asks for one.")
    ] = None
    smtp_password: Annotated[
        str | None, _env("SUIVI_SMTP_PASSWORD", "SMTP password (give it in the environment; never commit it).")
    ] = None
    smtp_sender: Annotated[str, _env("SUIVI_SMTP_SENDER", "The From address of email reminders.")] = (
        "rappels@centre.example"
    )
    sms_gateway_url: Annotated[
        str | None,
        _env("SUIVI_SMS_GATEWAY_URL", "URL of the SMS provider's send endpoint. Unset: no SMS is sent."),
    ] = None
    sms_gateway_token: Annotated[
        str | None, _env("SUIVI_SMS_GATEWAY_TOKEN", "Bearer token for the SMS provider (never commit it).")
    ] = None
    sms_sender: Annotated[str, _env("SUIVI_SMS_SENDER", "The sender name or number shown on an SMS reminder.")] = (
        "Centre"
    )
    document_max_bytes: Annotated[
        int, _env("SUIVI_DOCUMENT_MAX_BYTES", "Largest document (scan) that may be attached, in bytes.")
    ] = 20 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Each declared variable that is set, parsed to its field's type; the field's default otherwise."""
        return cls(**{s.field: s.read(environ) for s in declared() if s.env in environ})

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
    def site_list(self) -> tuple[str, ...]:
        return tuple(site.strip() for site in self.sites.split(",") if site.strip())

    @property
    def secure_cookies(self) -> bool:
        return self.environment != "development"


class Setting(msgspec.Struct, frozen=True):
    """One field of ``Settings`` as its declaration describes it."""

    field: str
    env: str
    kind: Any
    """The field's type without its metadata: str, int, float, bool, Path, a Literal, or one of them | None."""
    default: Any
    description: str

    @property
    def choices(self) -> tuple[str, ...] | None:
        if self.kind is bool:
            return ("true", "false") if self.default else ("false", "true")
        if typing.get_origin(self.kind) is Literal:
            return typing.get_args(self.kind)
        return None

    @property
    def doc(self) -> str:
        """The description with the default, as the README's configuration table shows it."""
        choices = self.choices
        if choices is not None:
            listed = " or ".join(f"`{c}`" + (" (default)" if c == _text(self.default) else "") for c in choices)
            return f"{listed}: {self.description[0].lower()}{self.description[1:]}"
        if self.default is None:
            return self.description
        shown = "empty" if self.default == "" else f"`{_text(self.default)}`"
        return f"{self.description.removesuffix('.')} (default {shown})."

    def read(self, environ: Mapping[str, str]) -> Any:
        """The value of a variable that is set, or a SettingsError naming it."""
        raw = environ[self.env]
        kind, optional = _unwrap_optional(self.kind)
        choices = self.choices
        if choices is not None:
            if raw not in choices:
                raise SettingsError(f"{self.env} must be one of: {', '.join(choices)}")
            return raw == "true" if kind is bool else raw
        if optional and raw == "":
            return None
        if kind is int:
            try:
                return int(raw)
            except ValueError:
                raise SettingsError(f"{self.env} must be a whole number") from None
        if kind is float:  # the only float settings are durations
            try:
                return float(raw)
            except ValueError:
                raise SettingsError(f"{self.env} must be a number of seconds") from None
        if kind is Path:
            return Path(raw)
        return raw


@functools.cache
def declared() -> tuple[Setting, ...]:
    """Every setting, in declaration order, read from the fields of ``Settings``."""
    found = []
    for field in msgspec.structs.fields(Settings):
        kind, meta = typing.get_args(field.type)
        assert isinstance(meta, msgspec.Meta) and meta.extra is not None and meta.description is not None
        found.append(Setting(field.name, meta.extra["env"], kind, field.default, meta.description))
    return tuple(found)


def settings_doc() -> dict[str, str]:
    """Each environment variable and what it means, default included."""
    return {s.env: s.doc for s in declared()}


def configuration_table() -> str:
    """The README's configuration table (Markdown)."""
    rows = [f"| `{env}` | {doc} |" for env, doc in settings_doc().items()]
    return "\n".join(["| variable | meaning |", "|---|---|", *rows]) + "\n"


def _unwrap_optional(kind: Any) -> tuple[Any, bool]:
    if isinstance(kind, types.UnionType):
        (inner,) = (a for a in typing.get_args(kind) if a is not type(None))
        return inner, True
    return kind, False


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


if __name__ == "__main__":
    print(configuration_table(), end="")
