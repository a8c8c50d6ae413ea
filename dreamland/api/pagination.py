"""`limit`/`offset` paging answering `{"items": [...], "count": N}`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size (max 500).")
    offset: int = Field(0, ge=0, le=2**31 - 1, description="Rows to skip.")


def paginate(qs: QuerySet[Any], page: Page) -> tuple[list[Any], int]:
    count = qs.count()
    items = list(qs[page.offset : page.offset + page.limit]) if page.offset < count else []
    return items, count
