"""The rule that keeps the centre from locking itself out: there is always an active admin."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.policy import Role
from service.staff.last_admin import LastAdminError, ensure_an_admin_remains

ALONE, OTHER, SOMEONE = uuid4(), uuid4(), uuid4()


@pytest.mark.parametrize(
    ("roles", "active", "field"),
    [([Role.TRAINER], None, "roles"), ([], None, "roles"), (None, False, "active"), ([Role.ADMIN], False, "active")],
)
def test_the_last_active_admin_keeps_the_role_and_stays_active(roles, active, field) -> None:
    with pytest.raises(LastAdminError) as refused:
        ensure_an_admin_remains({ALONE}, ALONE, roles, active)
    assert refused.value.field == field


def test_an_admin_among_others_may_step_down() -> None:
    ensure_an_admin_remains({ALONE, OTHER}, ALONE, [Role.TRAINER], False)


def test_changes_that_keep_the_admin_or_touch_someone_else_pass() -> None:
    ensure_an_admin_remains({ALONE}, ALONE, [Role.ADMIN, Role.DPO], True)
    ensure_an_admin_remains({ALONE}, ALONE, None, None)
    ensure_an_admin_remains({ALONE}, SOMEONE, [Role.TRAINER], False)
