"""`{% load money %}{{ booking.total_amount|money:booking.currency }}` in the active language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from dreamland.lib.money import format_money

register = template.Library()


@register.filter(name="money")
def money(amount: object, currency: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    language = (get_language() or "ru").split("-")[0]
    try:
        return format_money(amount, currency or "KZT", "en" if language == "en" else "ru")
    except ValueError:
        return str(amount)
