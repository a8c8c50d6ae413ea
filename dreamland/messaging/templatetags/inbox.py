"""Small display rules of the inbox: short relative times, delivery ticks, map links."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dreamland.lib.phones import format_phone_international
from dreamland.messaging.models import WhatsAppStatus
from dreamland.web.templatetags.dates import short_datetime

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """ "5 min", "14:05" today, "yesterday", a weekday this week, else the date."""
    if value is None:
        return ""
    now = timezone.localtime()
    local = timezone.localtime(value)
    delta = now - local
    if delta < timedelta(minutes=1):
        return pgettext("time", "now")
    if delta < timedelta(hours=1):
        return _("%(minutes)s min") % {"minutes": int(delta.total_seconds() // 60)}
    if local.date() == now.date():
        return formats.time_format(local, "H:i")
    if local.date() == now.date() - timedelta(days=1):
        return _("yesterday")
    if delta < timedelta(days=6):
        return formats.date_format(local, "D")
    return formats.date_format(local, "d.m.y")


TICKS = {
    WhatsAppStatus.PENDING: ("◷", "tick-pending"),
    WhatsAppStatus.SENT: ("✓", "tick-sent"),
    WhatsAppStatus.DELIVERED: ("✓✓", "tick-delivered"),
    WhatsAppStatus.READ: ("✓✓", "tick-read"),
    WhatsAppStatus.FAILED: ("⚠", "tick-failed"),
}


@register.inclusion_tag("messaging/_tick.html")
def tick(comm: Any) -> dict[str, Any]:
    status = getattr(comm, "whatsapp_status", None)
    symbol, css = TICKS.get(status, ("", ""))  # type: ignore[arg-type]
    return {
        "symbol": symbol,
        "css": css,
        "status": status or "",
        "label": comm.get_whatsapp_status_display() if status else "",
    }


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
def media_kind(comm: Any) -> str:
    """image / audio / video / document / sticker, from Meta's type or the MIME type."""
    kind = comm.message_type or ""
    if kind in ("image", "audio", "video", "document", "sticker"):
        return str(kind)
    mime = (comm.media_type or "").split("/")[0]
    return mime if mime in ("image", "audio", "video") else ("document" if comm.media_url else "")


@register.filter
def phone(value: str | None) -> str:

    return format_phone_international(value) if value else ""


@register.filter
def time_left(expires: datetime | None) -> str:
    """ "3 h 12 min" until `expires` (the 24-hour window), "" once it has passed."""
    if expires is None:
        return ""
    minutes = int((expires - timezone.now()).total_seconds() // 60)
    if minutes <= 0:
        return ""
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.filter
def msg_time(value: datetime | None) -> str:
    """A message's time: "14:05" today, else "2 дек., 14:05" (the year when not this year)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i")
    return short_datetime(local)
