"""`{% cell value column currency %}` shows a table cell by its column's kind; `|pct`, `|money_in`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template
from django.utils import formats

from dreamland.money.templatetags.money import money
from dreamland.reports import formatting
from dreamland.reports.tables import Column

register = template.Library()
NUMERIC = ("int", "money", "amount", "pct", "duration")


@register.simple_tag
def cell(value: object, column: Column, currency: str) -> str:
    kind = column.kind
    if value is None:
        return "—" if kind in NUMERIC else ""
    if kind == "money":
        return money(value, currency)
    if kind == "amount":
        return formats.number_format(value, 2, force_grouping=True)  # type: ignore[arg-type]
    if kind == "int":
        return formatting.count(value)  # type: ignore[arg-type]
    if kind == "pct":
        return formatting.pct(value)  # type: ignore[arg-type]
    if kind == "duration":
        return formatting.duration(value)  # type: ignore[arg-type]
    if kind == "month" and isinstance(value, date):
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if kind == "date" and isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@register.filter
def is_numeric(column: Column) -> bool:
    return column.kind in NUMERIC


@register.filter
def pct(value: Decimal | None) -> str:
    return formatting.pct(value)


@register.filter
def money_in(value: object, currency: str) -> str:
    return money(value, currency)
