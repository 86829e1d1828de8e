"""Every handler's dependencies resolve one after the other, never as tasks run side by side.

Litestar resolves the dependencies of one level of the graph concurrently, in a task group with a
task each; ``service.http.deps`` and ``service.web.viewer`` declare them as one chain so that no
request pays for those tasks. A new dependency off the chain would bring them back unseen.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute


def test_no_handler_resolves_two_dependencies_at_once(app: Litestar) -> None:
    side_by_side = {
        f"{method} {route.path}": sorted(dependency.key for dependency in batch)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method, (_, kwargs_model) in route.route_handler_map.items()
        for batch in kwargs_model.dependency_batches
        if len(batch) > 1
    }
    assert side_by_side == {}
    resolved = {
        dependency.key
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for _, kwargs_model in route.route_handler_map.values()
        for batch in kwargs_model.dependency_batches
        for dependency in batch
    }
    assert {"services", "principal", "actor", "ctx", "command", "viewer", "form"} <= resolved
