"""Application services: one function per command, from an actor's request to one atomic append.

Each command authorises the actor through ``domain.policy``, refuses processing of a
restricted person (except by the DPO), loads the aggregates, calls the domain, and saves
every changed aggregate in ONE append with the command's idempotency key. Nothing here is
built at import time: the caller passes an :class:`~service.application.context.ApplicationContext`.
"""
