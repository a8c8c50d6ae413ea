"""Domain errors that every entry point (UI, API, WhatsApp, import) turns into a clear answer.

Field-level validation uses Django's `ValidationError` (a dict of field → messages). The classes
here are for rules that are not about one field's format: the API answers them with their
`status_code`, forms show their message.
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the change; nothing was written."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


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
