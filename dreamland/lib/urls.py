"""URLs for many rows at once."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARK = 987654321


def path_for(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` as a function of `pk`, at the cost of one `reverse()`: a list
    of 50 rows or a board of cards reversed each link (~20 µs each)."""
    head, _sep, tail = reverse(name, args=[_MARK]).partition(str(_MARK))
    return lambda pk: f"{head}{pk}{tail}"
