"""Sending WhatsApp messages: free text inside the 24-hour window, templates at any time.

A send is stored at once as a `pending` outbound communication and handed to a background task
(`tasks.whatsapp_send`) after the transaction commits; the task fills in the wamid or the error
the agent sees. The window and the templates are messaging's rules (`messaging.services`); this
app depends on messaging, never the reverse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.leads.selectors import lead_open_for_client
from dreamland.lib.errors import NotConfigured
from dreamland.lib.phones import wa_id_from_phone
from dreamland.messaging.inbound import conversation_lock
from dreamland.messaging.models import (
    Communication,
    CommunicationType,
    Direction,
    WhatsAppStatus,
    WhatsAppTemplate,
)
from dreamland.messaging.services import (
    WindowClosed,
    communication_first_times_note,
    template_for_client,
    template_names_available,
    template_render,
    template_values,
    whatsapp_window_open,
)
from dreamland.whatsapp.client import template_payload, text_payload, whatsapp_configured
from dreamland.whatsapp.tasks import whatsapp_send

MAX_TEXT_LENGTH = 4096


def _require_configured() -> None:
    if not whatsapp_configured():
        raise NotConfigured(
            _(
                "WhatsApp is not configured: set WHATSAPP_ACCESS_TOKEN and "
                "WHATSAPP_PHONE_NUMBER_ID."
            ),
            code="whatsapp_not_configured",
        )


def _check_lead(client: Client, lead: Lead | None) -> None:
    if lead is not None and lead.client_id != client.pk:
        raise ValidationError({"lead": _("This lead belongs to another client.")})


def _store_and_enqueue(*, client: Client, lead: Lead | None, **fields: Any) -> Communication:
    """Insert the pending message and queue its send after the commit.

    Takes the conversation lock of the client's number first, then the open lead (locked), then
    inserts: the same order as an inbound message (`messaging.inbound.conversation_lock`), so
    an agent's reply racing the customer's messages queues behind them instead of deadlocking.
    """
    with transaction.atomic():
        conversation_lock(phones=[client.phone])
        if lead is None:
            lead = lead_open_for_client(client_id=client.pk, lock=True)
        comm = Communication.objects.create(
            client=client,
            lead=lead,
            communication_type=CommunicationType.WHATSAPP,
            direction=Direction.OUTBOUND,
            whatsapp_status=WhatsAppStatus.PENDING,
            **fields,
        )
        communication_first_times_note(communication=comm)  # a first reply times the agent
        transaction.on_commit(lambda: whatsapp_send.enqueue(communication_id=comm.pk))
    return comm


def message_send_text(
    *,
    client: Client,
    body: str,
    sent_by: User | None,
    lead: Lead | None = None,
    reply_to: Communication | str | None = None,
    now: datetime | None = None,
) -> Communication:
    """Free text to the client, only inside the 24-hour window; sent in the background."""
    _require_configured()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if len(body) > MAX_TEXT_LENGTH:
        raise ValidationError(
            {
                "body": _("WhatsApp allows at most %(count)s characters.")
                % {"count": MAX_TEXT_LENGTH}
            }
        )
    _check_lead(client, lead)
    if not whatsapp_window_open(client, now):
        raise WindowClosed(template_names_available())
    reply_wamid = reply_to.whatsapp_message_id if isinstance(reply_to, Communication) else reply_to
    request = text_payload(to=wa_id_from_phone(client.phone), body=body, reply_to=reply_wamid)
    return _store_and_enqueue(
        client=client,
        lead=lead,
        body=body,
        message_type="text",
        reply_to_message_id=reply_wamid or None,
        metadata={"request": request},
        sent_by=sent_by,
    )


def message_send_template(
    *,
    client: Client,
    template: WhatsAppTemplate | str,
    variables: dict[str, Any] | list[Any],
    sent_by: User | None,
    lead: Lead | None = None,
) -> Communication:
    """A template message: allowed at any time; the translation follows the client's language."""
    _require_configured()
    name = template if isinstance(template, str) else (template.name or "")
    chosen = template_for_client(name=name, client=client)
    values = template_values(chosen, variables)
    body = template_render(chosen, values)
    components = (
        [{"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}]
        if values
        else None
    )
    request = template_payload(
        to=wa_id_from_phone(client.phone),
        name=name,
        language=chosen.language,
        components=components,
    )
    _check_lead(client, lead)
    return _store_and_enqueue(
        client=client,
        lead=lead,
        body=body,
        message_type="template",
        template=chosen,
        metadata={"request": request, "template": {"name": name, "values": values}},
        sent_by=sent_by,
    )
