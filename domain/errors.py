"""The root of the domain error tree.

Every rule in ``domain/`` raises a subclass of :class:`DomainError`, defined
beside the rule it protects (``CaseClosedError`` in ``case.py``, and so on).
The service translates the whole tree to HTTP answers in one place.

Messages never carry personal data: they name ids, codes and dates only.
"""


class DomainError(Exception):
    """A command broke a rule of the domain."""


class InvalidValueError(DomainError):
    """A command argument is outside the values the domain accepts.

    ``field`` names the command's field to blame when there is one (``session_days``), so
    that the answer can point at it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NaiveTimestampError(InvalidValueError):
    """A command was given a datetime without a timezone."""
