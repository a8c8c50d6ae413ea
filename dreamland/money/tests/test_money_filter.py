from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template("{% load money %}{{ amount|money:currency }}")


def _render(amount, currency, language):
    with translation.override(language):
        return TEMPLATE.render(Context({"amount": amount, "currency": currency}))


def test_the_filter_formats_in_the_active_language():
    assert _render(Decimal("1250000"), "KZT", "ru") == "1\xa0250\xa0000\xa0₸"
    assert _render(Decimal("1250"), "USD", "en") == "$1,250.00"


def test_the_filter_leaves_empty_and_unreadable_values_alone():
    assert _render(None, "KZT", "ru") == ""
    assert _render("n/a", "KZT", "ru") == "n/a"
