"""Metrics through prometheus-client: one registry per app, route templates only, the text format."""

from __future__ import annotations

import prometheus_client
from prometheus_client.parser import text_string_to_metric_families

from service.http.metrics import HttpMetrics
from service.readmodels.status import ProjectionState


def _samples(metrics: HttpMetrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(metrics.render().decode())
        for sample in family.samples
    }


def test_requests_are_counted_by_method_route_template_and_status() -> None:
    metrics = HttpMetrics()
    for status in (200, 200, 404):
        metrics.observe("GET", "/people/{person_id:uuid}", status, 0.02)
    samples = _samples(metrics)
    route = ("route", "/people/{person_id:uuid}")
    ok = frozenset({("method", "GET"), route, ("status", "200")})
    assert samples[("suivi_http_requests_total", ok)] == 2
    assert samples[("suivi_http_request_duration_seconds_count", frozenset({route}))] == 3
    assert samples[("suivi_http_request_duration_seconds_bucket", frozenset({route, ("le", "0.025")}))] == 3


def test_each_app_has_its_own_registry_and_the_global_one_holds_nothing_of_suivi() -> None:
    counted, other = HttpMetrics(), HttpMetrics()
    counted.observe("POST", "/cases", 201, 0.1)
    assert not any(name == "suivi_http_requests_total" for name, _ in _samples(other))
    assert not [m for m in prometheus_client.REGISTRY.collect() if m.name.startswith("suivi")]


def test_projection_figures_are_left_out_when_the_database_cannot_be_reached() -> None:
    metrics = HttpMetrics()
    metrics.projections_seen([ProjectionState("board", "failed", 10, 3, "boom")])
    board = frozenset({("projection", "board")})
    assert _samples(metrics)[("suivi_projection_lag_events", board)] == 3
    assert _samples(metrics)[("suivi_projection_failed", board)] == 1
    metrics.database_unreachable()
    samples = _samples(metrics)
    assert ("suivi_projection_lag_events", board) not in samples
    assert samples[("suivi_database_up", frozenset())] == 0
