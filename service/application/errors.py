"""The application layer's own errors: one small tree, translated once by the HTTP layer.

    ApplicationError
    └── NotAuthorisedError      the actor's roles and relation do not allow the command
        └── RoleRequiredError   the actor holds none of the roles something needs

Domain errors (``domain.errors.DomainError`` and subclasses) and store errors
(``ConcurrencyError``, ``IdempotencyKeyReusedError``) pass through unchanged.
Messages name categories and scopes only, never personal data.
"""

from domain.base import Category
from domain.policy import Scope


class ApplicationError(Exception):
    """The root of the application layer's errors."""


class NotAuthorisedError(ApplicationError):
    """The actor may not do this. Says what was refused, never about whom."""

    def __init__(self, category: Category, scope: Scope = Scope.ALL, *, action: str = "write") -> None:
        what = str(category) if scope is Scope.ALL else f"{category} ({scope})"
        super().__init__(f"not authorised to {action} {what} data")
        self.category = category
        self.scope = scope


class RoleRequiredError(NotAuthorisedError):
    """For what is no data category of the access policy (staff accounts, statistics): the roles decide."""

    def __init__(self, what: str) -> None:
        ApplicationError.__init__(self, f"{what} belongs to another role")
        self.category = Category.ACCESS
        self.scope = Scope.ALL
