"""Every GDPR action is the DPO's alone."""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.base import Category
from domain.policy import Role
from service.application.context import Actor
from service.application.errors import NotAuthorisedError

SYSTEM_DPO_ID = uuid5(UUID("6f1c1a52-52f4-4c39-9a3c-5e0f4b6f0d11"), "suivi system dpo")
"""The staff id the CLI, retention and restore checks act under (it is no one's account)."""

SYSTEM_DPO = Actor(staff_id=SYSTEM_DPO_ID, roles=frozenset({Role.DPO}))


def require_dpo(actor: Actor, action: str = "write") -> None:
    if Role.DPO not in actor.roles:
        raise NotAuthorisedError(Category.GDPR, action=action)
