"""The client list's rows as the page prints them: every text computed here, once a row.

A page shows 50 rows; each `{% url %}`, `{% translate %}`, filter and attribute lookup a row
does costs the template engine its resolution, localisation and escaping on top of the work (the
rows took ~15 ms of CPU of a name search's page). The dates and money use the template filters'
own functions, so the texts are the same as elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from django.utils.translation import gettext as _

from dreamland.clients.models import Client
from dreamland.leads.models import LeadStatus
from dreamland.lib.urls import path_for
from dreamland.money.templatetags.money import money
from dreamland.web.templatetags.dates import short_date, short_datetime


class ClientRow(TypedDict):
    """One row of the list (a dict: the template engine tries `row[key]` first)."""

    url: str
    name: str
    phone: str
    email: str
    status: str  # the current lead's status, "" without an open lead
    status_label: str
    agent: str
    last_message: str
    lifetime_value: str  # "—" when an exchange rate is missing
    zero_value: bool  # shown muted
    created: str


def client_rows(clients: Sequence[Client], currency: str) -> list[ClientRow]:
    """The rows of `clients` (with `open_leads` and `lifetime_value` set: `with_open_leads`,
    `with_lifetime_values`)."""
    detail = path_for("clients:detail")
    unassigned = _("Unassigned")
    rows = []
    for client in clients:
        leads = getattr(client, "open_leads", None)
        lead = leads[0] if leads else None
        value = getattr(client, "lifetime_value", None)
        agent = lead.assigned_agent if lead is not None else None
        rows.append(
            ClientRow(
                url=detail(client.pk),
                name=client.name,
                phone=client.phone,
                email=client.email or "",
                status=lead.status if lead is not None else "",
                status_label=str(LeadStatus(lead.status).label) if lead is not None else "",
                agent=(agent.name if agent is not None else "") or unassigned,
                last_message=short_datetime(lead.last_message_at) if lead is not None else "",
                lifetime_value="—" if value is None else money(value, currency),
                zero_value=value is not None and not value,
                created=short_date(client.created_at),
            )
        )
    return rows
