"""The export leaves out no event type by accident; the record of processing comes from settings and code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from domain.base import SuiviAggregate
from service.gdpr.export import ExportIncompleteError, section_of
from service.gdpr.export_model import LEFT_OUT, SECTIONS
from service.gdpr.html import register_html
from service.gdpr.register import record_of_processing
from service.settings import Settings
from tests.domain.test_event_contract import event_classes


def test_every_event_type_in_domain_is_exported_or_left_out_with_a_reason():
    missing = [c.__qualname__ for c in event_classes() if c not in SECTIONS and c not in LEFT_OUT]
    assert missing == []
    assert set(SECTIONS).isdisjoint(LEFT_OUT)
    assert all(reason.strip() for reason in LEFT_OUT.values())
    assert len(event_classes()) == len(SECTIONS) + len(LEFT_OUT)


def test_an_event_type_nobody_placed_stops_the_export():
    class Unplaced(SuiviAggregate.Event):
        pass

    with pytest.raises(ExportIncompleteError):
        section_of(Unplaced)


def test_record_of_processing_names_purposes_recipients_retention_and_security_from_settings_and_code():
    settings = Settings.from_env({"SUIVI_RETENTION_TRAINING_YEARS": "4", "SUIVI_DPO_CONTACT": "dpo@example.org"})
    register = record_of_processing(settings, __import__("datetime").datetime(2026, 9, 1))
    assert register.retention_years["training"] == 4 and register.dpo_contact == "dpo@example.org"
    assert "cpas" in register.external_recipients
    assert "Case.NoteAdded" in register.event_types_by_category["social_legal"]
    assert "RightsRequest.Received" in register.event_types_by_category["gdpr"]
    assert any("blind index" in m for m in register.security_measures)
    assert "4 years after the last cohort" in register_html(register, "en")
    assert "Registre des activités de traitement" in register_html(register)


def test_record_of_processing_command_prints_json_and_html(tmp_path):
    env = {**os.environ, "SUIVI_DATA_DIR": str(tmp_path)}
    as_json = subprocess.run(
        [sys.executable, "-m", "service.cli", "record-of-processing"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(as_json.stdout)["schema"] == "suivi.record-of-processing"
    as_html = subprocess.run(
        [sys.executable, "-m", "service.cli", "record-of-processing", "--html"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert as_html.stdout.startswith("<!DOCTYPE html>")
