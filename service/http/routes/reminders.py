"""The reminders API (issue in progress: filled in by its area)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
