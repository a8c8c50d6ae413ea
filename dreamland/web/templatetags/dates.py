"""`{% load dates %}{{ when|short_date }}` → `2 дек.` / `Dec 2` (CLDR, the active language).

Django's own `date` filter has no CLDR abbreviated months ("Дек.", "Sept."); babel's skeletons
give what each language writes. The year is added when it is not this year; `short_datetime`
adds the local time.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache, lru_cache

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
    day = _local(value)
    day = day.date() if isinstance(day, datetime) else day
    return _date_text(_locale(), day, day.year == timezone.localdate().year)


@lru_cache(maxsize=4096)
def _date_text(locale: str, day: date, this_year: bool) -> str:
    """A day as the locale writes it, formatted once (a board of cards repeats days; babel's
    formatting cost 0.3 ms a card)."""
    return str(_pattern(locale, "MMMd" if this_year else "yMMMd").apply(day, locale))


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
    locale, day = _locale(), local.date()
    this_year = day.year == timezone.localdate().year
    return f"{_date_text(locale, day, this_year)}, {_time_text(locale, local.hour, local.minute)}"


@lru_cache(maxsize=2 * 24 * 60)
def _time_text(locale: str, hour: int, minute: int) -> str:
    """A time of day (`14:05`, `2:05 PM`), formatted once per locale and minute."""
    return str(format_time(time(hour, minute), "short", locale=locale))
