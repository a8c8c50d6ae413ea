"""The inbox pages' one door to sending: the views call these, never the send services directly,
so moving sending to another module changes one import here."""

from __future__ import annotations

from dreamland.messaging.services import WindowClosed
from dreamland.whatsapp.outbound import MAX_TEXT_LENGTH, message_send_template, message_send_text

__all__ = ["MAX_TEXT_LENGTH", "WindowClosed", "message_send_template", "message_send_text"]
