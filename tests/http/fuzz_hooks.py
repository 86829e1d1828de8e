"""Schemathesis hooks for ``test_fuzz.py``, loaded by the CLI through ``SCHEMATHESIS_HOOKS``.

A request the schema calls valid may still meet a rule that depends on the data (a closed case,
a full cohort, an erased or restricted person) or that a schema cannot state (``period_to``
before ``period_from``): the fuzz accepts 410, 422 and 423 for it, but a 422 must then be one of
those rules, never a refusal of the request's shape, which would mean the schema is wrong.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

RULES = {"/problems/rule-broken", "/problems/idempotency-key-reused"}
_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


@schemathesis.check
def valid_requests_meet_only_rules(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        kind = response.json().get("type")
    except ValueError:
        kind = None
    if kind not in RULES:
        raise AssertionError(f"a schema-valid request was refused for its shape: {response.text[:300]}")
    return None


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """A fresh Idempotency-Key for each valid one: generated keys repeat, and a key reused for another
    command is refused (422) before the command is even looked at."""
    headers = case.headers
    key = headers.get("Idempotency-Key") if headers else None
    if headers is not None and isinstance(key, str) and _KEY.match(key):
        headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4().hex}"
