"""Domain errors that every entry point (UI, API, WhatsApp, import) turns into a clear answer.

Field-level validation uses Django's `ValidationError` (a dict of field → messages). The classes
here are for rules that are not about one field's format: the API answers them with their
`status_code`, forms show their message.

Messages are marked for translation where they are raised (`gettext`, or `gettext_lazy`): the
constructor turns them into a plain `str` at once, in the language active at raise time (the
request's), so `exc.message` and `str(exc)` are always plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext


class DomainError(Exception):
    """A business rule refused the change; nothing was written."""

    status_code = 400
    code = "invalid"

    def __init__(
        self, message: str | Promise, *, field: str | None = None, code: str | None = None
    ) -> None:
        text = str(message)
        super().__init__(text)
        self.message = text
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class RuleViolation(DomainError):
    """The request is well-formed but the rules forbid it (an illegal status transition)."""

    status_code = 422
    code = "rule_violation"


class Conflict(DomainError):
    """The change collides with existing state (duplicate phone, no seats left)."""

    status_code = 409
    code = "conflict"


class NotConfigured(DomainError):
    """An integration is needed but has no credentials in this install."""

    status_code = 503
    code = "not_configured"


def reject_unknown_fields(fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """A field error for each name a service does not edit (a typo must not pass silently)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: gettext("Unknown field.") for name in sorted(unknown)})
