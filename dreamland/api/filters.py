"""Shared list filters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from dreamland.lib.phones import normalize_phone

PHONE_HELP = "Any spelling of the client's phone; an unparseable number matches nothing."


def filter_phone[Q: QuerySet[Any]](qs: Q, phone: str | None, field: str = "phone") -> Q:
    """Rows whose `field` is this phone in any spelling (none for garbage)."""
    if phone is None:
        return qs
    try:
        return qs.filter(**{field: normalize_phone(phone.replace("\x00", ""))})
    except ValidationError:
        return qs.none()
