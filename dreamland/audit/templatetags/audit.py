"""`{% load audit %}{% audit_trail obj %}`: the change history of a lead, booking or client,
dropped into any page (one query)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from dreamland.audit.display import trail_rows

register = template.Library()


@register.inclusion_tag("audit/_trail.html")
def audit_trail(obj: Any) -> dict[str, Any]:
    return {"rows": trail_rows(obj, language=get_language() or "ru")}
