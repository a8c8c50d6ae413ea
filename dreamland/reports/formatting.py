"""How report figures read: percentages, counts and durations in the active language."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dreamland.lib.money import format_money


def locale() -> str:
    return "en" if (get_language() or "ru").startswith("en") else "ru"


def money_whole(value: Decimal | int, currency: str) -> str:
    """An amount without its cents, for axis ticks and bar labels."""
    return format_money(Decimal(value).quantize(Decimal(1)), currency, locale())


def count(value: Decimal | int) -> str:
    return formats.number_format(int(value), 0, force_grouping=True)


def pct(value: Decimal | None) -> str:
    """A 0..1 fraction as "42.5 %" / "42,5 %"; a dash when there was nothing to divide."""
    if value is None:
        return "—"
    return f"{formats.number_format(value * 100, 1)}\u00a0%"


def duration(value: timedelta | None) -> str:
    """3 min · 1 h 5 min · 2 d 3 h, in the active language."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    if minutes:
        return _("%(m)s min") % {"m": mins}
    return _("%(s)s s") % {"s": int(value.total_seconds())}
