# ruff: noqa: RUF003  (Cyrillic in comments is meant)
"""Tour reads: which tour a client's message names (SPEC §2 "Tour interest")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.db.models import QuerySet

from dreamland.tours.models import Tour

# A name must start a word and may end it or carry a short ending: Russian and Kazakh decline
# names ("на Чарыне", "Шарынға"), but "Турция" is no tour "Тур".
_LETTER = r"[^\W_]"
_ENDING = 3


def active_tours() -> QuerySet[Tour]:
    """The tours on sale, by name: every picker and filter of a tour offers these."""
    return Tour.objects.filter(active=True).order_by("name", "pk")


def _fold(text: str) -> str:
    """Case- and accent-insensitive form; Kazakh letters keep their identity (Көлсай ≠ Колсай
    is handled by aliases, not by folding)."""
    return unicodedata.normalize("NFC", text).casefold().replace("ё", "е")


@lru_cache(maxsize=512)
def _pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in _fold(name).split()]
    # Words of a multi-word name may be separated by any spaces or a hyphen.
    body = r"[\s\-]+".join(words)
    return re.compile(rf"(?<!{_LETTER}){body}{_LETTER}{{0,{_ENDING}}}(?!{_LETTER})")


def tour_names(tour: Tour) -> list[str]:
    return [n for n in [tour.name or "", *tour.alias_list] if n.strip()]


def tour_from_text(text: str | None, tours: list[Tour] | None = None) -> Tour | None:
    """The one active tour whose name or alias starts a word of `text`; None when none or several
    fit (an inquiry naming two tours is left for the agent)."""
    if not text or not text.strip():
        return None
    folded = _fold(text)
    candidates = tours if tours is not None else list(Tour.objects.filter(active=True))
    found = [t for t in candidates if any(_pattern(n).search(folded) for n in tour_names(t))]
    return found[0] if len(found) == 1 else None
