"""Every setting is declared once in Settings, read by Settings.from_env, and shown in the README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import settings
from service.settings import Settings, SettingsError

README = Path(__file__).resolve().parent.parent / "README.md"
DECLARED = settings.declared()


def test_every_field_is_declared_with_a_variable_and_a_description() -> None:
    assert [s.field for s in DECLARED] == list(Settings.__struct_fields__)
    assert all(re.fullmatch(r"(SUIVI_|DATABASE_)[A-Z_]+", s.env) for s in DECLARED)
    assert len({s.env for s in DECLARED}) == len(DECLARED)
    assert all(s.description for s in DECLARED)


def test_nothing_set_gives_the_declared_defaults() -> None:
    assert Settings.from_env({}) == Settings()
    assert {s.field: s.default for s in DECLARED} == {f: getattr(Settings(), f) for f in Settings.__struct_fields__}


def _another_value(setting: settings.Setting) -> str:
    """A value for the variable that its field does not have by default."""
    if setting.choices is not None:
        return setting.choices[-1]
    if isinstance(setting.default, int | float):
        return "42"
    return "/somewhere/else"


@pytest.mark.parametrize("setting", DECLARED, ids=lambda s: s.env)
def test_from_env_reads_each_declared_variable(setting: settings.Setting) -> None:
    read = Settings.from_env({setting.env: _another_value(setting)})
    assert getattr(read, setting.field) != setting.default
    assert read == Settings(**{setting.field: getattr(read, setting.field)})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SUIVI_PORT", "eighty", "SUIVI_PORT must be a whole number"),
        ("SUIVI_POLL_INTERVAL", "soon", "SUIVI_POLL_INTERVAL must be a number of seconds"),
        ("SUIVI_ENVIRONMENT", "staging", "SUIVI_ENVIRONMENT must be one of: production, development"),
        ("SUIVI_RETENTION_DAILY", "yes", "SUIVI_RETENTION_DAILY must be one of: true, false"),
    ],
)
def test_an_unusable_value_is_refused_by_its_variable_name(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: value})
    assert str(refused.value) == message


def test_empty_optional_values_mean_unset() -> None:
    empty = Settings.from_env({"DATABASE_URL": "", "SUIVI_MASTER_KEY": "", "SUIVI_MASTER_KEY_FILE": ""})
    assert empty.embedded and empty.master_key_hex is None and empty.key_file == Path(".suivi/master.key")


def test_every_setting_appears_in_the_readme_configuration_table() -> None:
    table_rows = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE))
    declared = {s.env for s in DECLARED}
    assert declared <= table_rows, declared - table_rows


def test_the_readme_table_is_the_one_the_declarations_print() -> None:
    assert settings.configuration_table() in README.read_text(), "run `python -m service.settings` for the table"
