"""`{% load dates %}{{ when|short_date }}` → `2 дек.` / `Dec 2` (CLDR, the active language).

Django's own `date` filter has no CLDR abbreviated months ("Дек.", "Sept."); babel's skeletons
give what each language writes. The year is added when it is not this year; `short_datetime`
adds the local time.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import DateTimePattern, format_time
from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()


def _locale() -> str:
    return "en_US" if (get_language() or "ru").startswith("en") else "ru_RU"


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def short_date(value: date | datetime | None) -> str:
    if value is None or value == "":
        return ""
    value = _local(value)
    skeleton = "MMMd" if value.year == timezone.localdate().year else "yMMMd"
    return str(_pattern(_locale(), skeleton).apply(value, _locale()))


@cache
def _pattern(locale: str, skeleton: str) -> DateTimePattern:
    """The locale's pattern for a skeleton, looked up once (babel matches it on every call: a
    board of 300 cards spent 70 ms there)."""
    return Locale.parse(locale).datetime_skeletons[skeleton]


@register.filter
def short_datetime(value: datetime | None) -> str:
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{short_date(local)}, {format_time(local, 'short', locale=_locale())}"
