"""Helpers for posting back-office forms in tests."""

from __future__ import annotations


def empty_inline(prefix: str, total: int = 0) -> dict[str, str]:
    """The management form of an inline formset with `total` existing rows and none added."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(total),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
