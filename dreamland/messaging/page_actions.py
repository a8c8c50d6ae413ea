"""The inbox pages' one door to sending: the views call these, never the send services directly,
so moving sending to another module changes one import here."""

from __future__ import annotations

from dreamland.messaging.services import (  # the send services (moving to whatsapp.outbound)
    WindowClosed,
    message_send_template,
    message_send_text,
)

__all__ = ["WindowClosed", "message_send_template", "message_send_text"]
