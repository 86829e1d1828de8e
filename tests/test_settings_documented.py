"""Every setting is documented: in SETTINGS_DOC, read by Settings.from_env, and in the README table."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from service import settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_environment_variable_read_is_documented() -> None:
    read = set(re.findall(r'"((?:SUIVI_|DATABASE_)[A-Z_]+)"', inspect.getsource(settings.Settings.from_env)))
    assert read, "from_env reads no variable: the pattern above is out of date"
    assert read - set(settings.SETTINGS_DOC) == set()


def test_every_setting_appears_in_the_readme_configuration_table() -> None:
    table_rows = {m for m in re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE)}
    assert set(settings.SETTINGS_DOC) <= table_rows, set(settings.SETTINGS_DOC) - table_rows
