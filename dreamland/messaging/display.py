"""How the inbox and the conversation show a time, a delivery tick, a snippet, a phone and the
24-hour window.

The selectors call these once per row and per message and hand the template plain strings: a
page shows 50 rows (and 50 messages), and a filter per row costs the template engine's lookup,
localisation and escaping on top of the work itself (the inbox spent ~1 ms a row rendering). The
template filters in `templatetags/inbox.py` are the same functions, for other pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from dreamland.lib.phones import format_phone_international
from dreamland.messaging.models import WhatsAppStatus
from dreamland.web.templatetags.dates import short_datetime

SNIPPET = 90


def local_now() -> datetime:
    """Now in the active time zone: what `ago` and `message_time` measure from (look the zone
    up once per page, not per row)."""
    return timezone.localtime()


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "5 min", "14:05" today, "yesterday", a weekday this week, else the date. `now`: from
    `local_now()`."""
    if value is None:
        return ""
    now = now or local_now()
    local = value.astimezone(now.tzinfo)
    delta = now - local
    if delta < timedelta(minutes=1):
        return pgettext("time", "now")
    if delta < timedelta(hours=1):
        return _("%(minutes)s min") % {"minutes": int(delta.total_seconds() // 60)}
    if local.date() == now.date():
        return f"{local:%H:%M}"
    if local.date() == now.date() - timedelta(days=1):
        return _("yesterday")
    if delta < timedelta(days=6):
        return formats.date_format(local, "D")
    return f"{local:%d.%m.%y}"


def message_time(value: datetime | None, now: datetime | None = None) -> str:
    """A message's time: "14:05" today, else "2 дек., 14:05" (the year when not this year), as
    `short_datetime` writes it. `now`: from `local_now()`."""
    if value is None:
        return ""
    now = now or local_now()
    local = value.astimezone(now.tzinfo)
    if local.date() == now.date():
        return f"{local:%H:%M}"
    return short_datetime(value)  # cached per day and minute (`web.templatetags.dates`)


def snippet(text: str | None, limit: int = SNIPPET) -> str:
    """The start of a message for a list row (as `truncatechars`; short texts as they are)."""
    if not text:
        return ""
    return text if len(text) <= limit else Truncator(text).chars(limit)


@lru_cache(maxsize=4096)
def phone(value: str | None) -> str:
    """`+77011234567` → `+7 701 123 4567` (libphonenumber parses in ~30 µs; a list shows the
    same numbers poll after poll)."""
    return format_phone_international(value) if value else ""


def time_left(expires: datetime | None, now: datetime | None = None) -> str:
    """ "3 h 12 min" until `expires` (the 24-hour window), "" once it has passed."""
    if expires is None:
        return ""
    minutes = int((expires - (now or timezone.now())).total_seconds() // 60)
    if minutes <= 0:
        return ""
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


@dataclass(frozen=True, slots=True)
class Tick:
    symbol: str
    css: str


TICKS = {
    WhatsAppStatus.PENDING: Tick("◷", "tick-pending"),
    WhatsAppStatus.SENT: Tick("✓", "tick-sent"),
    WhatsAppStatus.DELIVERED: Tick("✓✓", "tick-delivered"),
    WhatsAppStatus.READ: Tick("✓✓", "tick-read"),
    WhatsAppStatus.FAILED: Tick("⚠", "tick-failed"),
}


def media_kind(comm: Any) -> str:
    """image / audio / video / document / sticker, from Meta's type or the MIME type."""
    kind = comm.message_type or ""
    if kind in ("image", "audio", "video", "document", "sticker"):
        return str(kind)
    mime = (comm.media_type or "").split("/")[0]
    return mime if mime in ("image", "audio", "video") else ("document" if comm.media_url else "")


def tick(status: str | None) -> SafeString:
    """The delivery tick of an outbound WhatsApp message; "" without a status to show."""
    return _tick(status, get_language() or "")


@lru_cache(maxsize=32)
def _tick(status: str | None, language: str) -> SafeString:
    shown = TICKS.get(status)  # type: ignore[call-overload]
    if shown is None or status is None:
        return SafeString("")
    label = WhatsAppStatus(status).label
    return format_html(
        '<span class="tick {}" data-status="{}" title="{}" aria-label="{}">{}</span>',
        shown.css,
        status,
        label,
        label,
        shown.symbol,
    )
