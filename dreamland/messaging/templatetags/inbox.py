"""Small display rules of the inbox: delivery ticks, phones, the window's time left, map links.

The rules live in `dreamland.messaging.display`; the inbox's selectors apply them once per row,
these filters are for the other pages (and the few rich parts of a message)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from dreamland.messaging import display

register = template.Library()


@register.simple_tag
def tick(comm: Any) -> SafeString:
    """The delivery tick of an outbound WhatsApp message (nothing without a status)."""
    return display.tick(getattr(comm, "whatsapp_status", None))


@register.filter
def map_link(location: Any) -> str:
    """An OpenStreetMap link for a shared location (a link only: nothing is loaded from it)."""
    if not isinstance(location, dict):
        return ""
    try:
        lat, lon = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return ""
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=16/{lat:.6f}/{lon:.6f}"
    )


@register.filter
def phone(value: str | None) -> str:
    return display.phone(value)


@register.filter
def time_left(expires: datetime | None) -> str:
    """ "3 h 12 min" until `expires` (the 24-hour window), "" once it has passed."""
    return display.time_left(expires)
