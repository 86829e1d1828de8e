"""A form that comes back after an error: what was typed, a message next to each field, a summary at the top.

This is the GOV.UK Design System's pattern. The page handler catches the error of its command,
and renders the page the form is on again with a ``Kept``: templates put the typed values back
(``kept.value("given_name")``), show the message above the field (``kept.error("given_name")``)
and mark it (``kept.invalid("given_name")``); ``base.html`` shows the summary. The messages are
the reader's language (the catalogue, ``service/words/locale/*.po``), never the English detail of the API.

A page with several forms names the form by its action (``kept.value("text", action)``): only the
form that was sent gets its values back. Passwords are never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from markupsafe import Markup

from service.http.problems import BadRequestError
from service.words.catalogue import Catalogue
from service.words.translator import Translator

_ENGLISH = {
    "missing": "is missing",
    "blank": "must not be blank",
    "too_long": "is too long",
    "identifier": "must be an identifier",
    "number": "must be a whole number",
    "choice": "must be one of the choices offered",
    "date": "must be a date (31/12/1990)",
    "username": "must be 2 to 50 lower-case letters, digits, dots or hyphens",
}
T = TypeVar("T")
SECRET_FIELDS = frozenset({"password", "csrf_token", "form_token"})
"""Never put back in a page."""


class FormFieldError(BadRequestError):
    """A field of a page's form cannot be used: which field, and what is wrong (``form.<problem>`` words)."""

    def __init__(self, name: str, problem: str, **values: object) -> None:
        super().__init__(f"the form field {name} {_ENGLISH.get(problem, 'cannot be used')}")
        self.field = name
        self.problem = problem
        self.values = values


class FormFieldErrors(BadRequestError):
    """Several fields of one form at once, so that the person corrects them all in one go."""

    def __init__(self, errors: list[FormFieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class Checks:
    """Read several fields of a form and name every one that cannot be used at once (not only the first)."""

    def __init__(self) -> None:
        self.problems: list[FormFieldError] = []

    def __call__(self, reading: Callable[[str], T], name: str) -> T | None:
        try:
            return reading(name)
        except FormFieldError as problem:
            self.problems.append(problem)
            return None

    def done(self) -> None:
        if self.problems:
            raise FormFieldErrors(self.problems)


# Which field of the page's form a rule's message is about (when the rule does not say it itself).
_MESSAGE_FIELDS = {
    "given name must not be blank": "given_name",
    "family name must not be blank": "family_name",
    "case summary must not be blank": "summary",
    "note must not be blank": "text",
    "follow-up description must not be blank": "description",
    "reason for reassignment must not be blank": "reason",
    "reason for reopening must not be blank": "reason",
    "the reason for an extension must not be blank": "reason",
    "the answer must not be blank": "answer",
    "certificate reference must not be blank": "certificate_reference",
    "request description must not be blank": "description",
    "help given must not be blank": "help_given",
    "the reason for a restriction must not be blank": "reason",
    "hold note must not be blank": "note",
    "organisation name must not be blank": "organisation_name",
    "reason for referral must not be blank": "reason",
    "reason for declining must not be blank": "reason",
    "a request cannot be received in the future": "received_on",
    "the description is kept under 280 chars": "description",
    "minutes spent cannot be negative": "minutes",
    "social_worker_id must name an active social worker": "social_worker_id",
    "site must not be blank": "site",
}
_CLASS_FIELDS = {
    "WeakPasswordError": "password",
    "UsernameTakenError": "username",
    "ExternalReferralRefusedError": "override_reason",
    "ConfirmationMismatchError": "confirm_1",
}
# The domain's name of a field, where the page's form calls it otherwise.
_FORM_NAMES = {"note": "text", "note_text": "text", "organisation": "organisation_name", "due": "due_on"}


def _about(error: BaseException) -> str | None:
    """What an error is about, for words finer than its class: the kind of record, the data category."""
    for name in ("kind", "category"):
        value = getattr(error, name, None)
        if isinstance(value, str):
            return value
    return None


def _keys(error: BaseException, status: int | None) -> Iterator[str]:
    if isinstance(error, FormFieldError):
        yield f"form.{error.problem}.{error.field}"
        yield f"form.{error.problem}.{error.field.split('-')[0]}"  # a family of fields: mark-<id>, level-<code>
        yield f"form.{error.problem}"
    yield str(error)  # a rule with a fixed message has words of its own
    about = _about(error)
    for kind in type(error).__mro__:
        if kind in (Exception, BaseException, object):
            break
        if about is not None:
            yield f"{kind.__name__}.{about}"
        yield kind.__name__
    if status is not None:
        yield f"status.{status}"
    yield "status.500"


def wording(error: BaseException, language: str, status: int | None = None) -> str:
    """What the page says about ``error``, in ``language``: the most precise words there are."""
    catalogue = Catalogue(language)
    for key in _keys(error, status):
        if catalogue.get(key) is not None:
            values = error.values if isinstance(error, FormFieldError) else {}
            return Translator(language)(key, **values)
    raise AssertionError("status.500 always has words")


def say(key: str, language: str) -> str:
    return Translator(language)(key)


def field_of(error: BaseException, sent: Mapping[str, str]) -> str | None:
    """The field of the form the error is about, if it is one of the fields the form sent."""
    if isinstance(error, FormFieldError):
        return error.field
    named = getattr(error, "field", None)  # InvalidValueError.field, when the rule names it
    for candidate in (_FORM_NAMES.get(str(named), named), _MESSAGE_FIELDS.get(str(error))):
        if isinstance(candidate, str) and candidate in sent:
            return candidate
    return _CLASS_FIELDS.get(type(error).__name__)  # the field the form has for it, sent empty or not


@dataclass(frozen=True)
class Kept:
    """The form that was sent and came back, or none (``Kept(language)``): every page gets one."""

    language: str = "fr"
    action: str | None = None
    """The path the form was posted to: on a page with several forms, only this one is filled again."""
    values: Mapping[str, str] = field(default_factory=dict)
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    """Field -> message, shown above the field."""
    summary: tuple[tuple[str | None, str], ...] = ()
    """(field or None, message), shown at the top of the page."""
    intro: str = "form.problem_intro"
    """The words under the summary's title ("the form was not saved"), or none."""

    @classmethod
    def after(
        cls,
        error: BaseException,
        sent: Mapping[str, str],
        lists: Mapping[str, list[str]],
        language: str,
        action: str,
        intro: str = "form.problem_intro",
    ) -> Kept:
        found = error.errors if isinstance(error, FormFieldErrors) else [error]
        summary: list[tuple[str | None, str]] = []
        errors: dict[str, str] = {}
        for each in found:
            name, message = field_of(each, sent), wording(each, language)
            if name is not None:
                errors.setdefault(name, message)
            summary.append((name, message))
        return cls(
            language=language,
            action=action,
            values={k: v for k, v in sent.items() if k not in SECRET_FIELDS},
            lists={k: tuple(v) for k, v in lists.items() if k not in SECRET_FIELDS},
            errors=errors,
            summary=tuple(summary),
            intro=intro,
        )

    def _mine(self, action: str | None) -> bool:
        return self.action is not None and (action is None or action == self.action)

    def sent(self, action: str | None = None) -> bool:
        """Whether this form came back (so its fields show what was typed, not their defaults)."""
        return self._mine(action)

    def value(self, name: str, action: str | None = None, default: Any = "") -> Any:
        if self._mine(action) and name in self.values:
            return self.values[name]
        return default

    def checked(self, name: str, value: object, action: str | None = None, default: bool = False) -> bool:
        """A radio button or a check box: as the person left it, or ``default``."""
        if not self._mine(action):
            return default
        return str(value) in self.lists.get(name, ()) or self.values.get(name) == str(value)

    def has(self, name: str, action: str | None = None) -> bool:
        return self._mine(action) and name in self.errors

    def error(self, name: str, action: str | None = None) -> Markup:
        """The message above the field (its id is ``error-<name>``, which the summary links to)."""
        if not self.has(name, action):
            return Markup("")
        return Markup('<p class="field-error" id="error-{}"><span class="visually-hidden">{}</span> {}</p>').format(
            name, say("form.error_prefix", self.language), self.errors[name]
        )

    def invalid(self, name: str, action: str | None = None, hint: str | None = None) -> Markup:
        """The field's attributes: marked invalid and described by its message (and its hint, if any)."""
        described = [hint] if hint else []
        attributes = Markup("")
        if self.has(name, action):
            described.append(f"error-{name}")
            attributes += Markup(' aria-invalid="true"')
        if described:
            attributes += Markup(' aria-describedby="{}"').format(" ".join(described))
        return attributes

    def say(self, key: str) -> str:
        return say(key, self.language)
