"""Prometheus counters of requests: method, route template and status only, never a raw path."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass
class Metrics:
    started: float = field(default_factory=time.monotonic)
    requests: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    buckets: Counter[tuple[str, float]] = field(default_factory=Counter)
    durations: dict[str, float] = field(default_factory=dict)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests[(method, route, status)] += 1
        self.durations[route] = self.durations.get(route, 0.0) + seconds
        for bound in _BUCKETS:
            if seconds <= bound:
                self.buckets[(route, bound)] += 1

    def render(self) -> list[str]:
        lines = ["# TYPE suivi_http_requests_total counter"]
        for (method, route, status), count in sorted(self.requests.items()):
            lines.append(f'suivi_http_requests_total{{method="{method}",route="{route}",status="{status}"}} {count}')
        lines.append("# TYPE suivi_http_request_duration_seconds histogram")
        for route in sorted(self.durations):
            total = sum(c for (m, r, s), c in self.requests.items() if r == route)
            for bound in _BUCKETS:
                lines.append(
                    f'suivi_http_request_duration_seconds_bucket{{route="{route}",le="{bound}"}} '
                    f"{self.buckets[(route, bound)]}"
                )
            lines.append(f'suivi_http_request_duration_seconds_bucket{{route="{route}",le="+Inf"}} {total}')
            lines.append(f'suivi_http_request_duration_seconds_sum{{route="{route}"}} {self.durations[route]:.6f}')
            lines.append(f'suivi_http_request_duration_seconds_count{{route="{route}"}} {total}')
        return lines


METRICS = Metrics()
