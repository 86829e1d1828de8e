"""Prometheus metrics: requests by method, route template and status (never a raw path), and projections.

Each app builds its own ``HttpMetrics`` (in ``create_app``) with a registry of its own: nothing is
made at import, and two apps in one process (tests) never count each other's requests.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from service.readmodels.status import ProjectionState

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class HttpMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        started = time.monotonic()
        self._requests = Counter(
            "suivi_http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self._duration = Histogram(
            "suivi_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ("route",),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._lag = Gauge(
            "suivi_projection_lag_events",
            "Events a projection has still to read.",
            ("projection",),
            registry=self.registry,
        )
        self._failed = Gauge(
            "suivi_projection_failed",
            "1 if the projection stopped on a failure.",
            ("projection",),
            registry=self.registry,
        )
        self._database_up = Gauge(
            "suivi_database_up", "1 if this scrape reached the database, 0 if not.", registry=self.registry
        )
        uptime = Gauge("suivi_process_uptime_seconds", "Seconds since this app started.", registry=self.registry)
        uptime.set_function(lambda: round(time.monotonic() - started))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request; ``route`` is the handler's path template."""
        self._requests.labels(method, route, str(status)).inc()
        self._duration.labels(route).observe(seconds)

    def projections_seen(self, states: Iterable[ProjectionState]) -> None:
        self._database_up.set(1)
        for state in states:
            self._lag.labels(state.name).set(state.lag)
            self._failed.labels(state.name).set(int(state.state == "failed"))

    def database_unreachable(self) -> None:
        """Projection figures from an earlier scrape would be stale: leave them out."""
        self._database_up.set(0)
        self._lag.clear()
        self._failed.clear()

    def render(self) -> bytes:
        """This app's metrics in the Prometheus text format (``CONTENT_TYPE``)."""
        return generate_latest(self.registry)
