"""Communications an agent records by hand: a phone call, an email or an SMS (the ERD's other
channels), with a note. WhatsApp messages are never logged this way: they are sent or received."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication, CommunicationType, Direction
from dreamland.messaging.services import communication_first_times_note

LOGGABLE = (CommunicationType.PHONE, CommunicationType.EMAIL, CommunicationType.SMS)
MAX_NOTE = 10_000


def communication_log(
    *,
    client: Client,
    communication_type: str,
    direction: str,
    body: str,
    sent_by: User | None,
    subject: str = "",
    lead: Lead | None = None,
) -> Communication:
    """Record a call, email or SMS on the client's timeline (attached to their current lead)."""
    errors: dict[str, str] = {}
    if communication_type not in LOGGABLE:
        errors["communication_type"] = _("Choose a call, an email or an SMS.")
    if direction not in Direction.values:
        errors["direction"] = _("Choose inbound or outbound.")
    body = (body or "").strip()
    if not body:
        errors["body"] = _("Write a note.")
    elif len(body) > MAX_NOTE:
        errors["body"] = _("At most %(count)s characters.") % {"count": MAX_NOTE}
    if lead is not None and lead.client_id != client.pk:
        errors["lead"] = _("This lead belongs to another client.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if lead is None:
            lead = Lead.objects.filter(client=client).order_by("-created_at", "-pk").first()
        comm = Communication.objects.create(
            client=client,
            lead=lead,
            communication_type=communication_type,
            direction=direction,
            body=body,
            subject=(subject or "").strip()[:255] or None,
            sent_by=sent_by,
        )
        communication_first_times_note(communication=comm)
        return comm
