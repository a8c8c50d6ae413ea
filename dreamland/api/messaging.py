"""`POST /clients/{id}/messages`: picks text or template and calls `dreamland.whatsapp.outbound`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.api.schemas import MessageIn
from dreamland.clients.models import Client
from dreamland.messaging.models import Communication, WhatsAppTemplate
from dreamland.whatsapp.outbound import message_send_template, message_send_text


def send_message(*, user: User, client: Client, payload: MessageIn) -> Communication:
    """Queue the message; the send itself runs in the background (outbound, `pending`)."""
    if (payload.body is None) == (payload.template_id is None):
        raise ValidationError(
            {"body": _("Send either `body` or `template_id`, not both or neither.")}
        )
    if payload.body is not None:
        return message_send_text(client=client, body=payload.body, sent_by=user)
    template = WhatsAppTemplate.objects.filter(pk=payload.template_id or 0).first()
    if template is None:
        raise ValidationError({"template_id": _("No such template.")})
    return message_send_template(
        client=client, template=template, variables=payload.variables or {}, sent_by=user
    )
