"""A client is deleted only while they never booked; their leads and messages go with them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dreamland.clients.models import Client
from dreamland.clients.services import client_delete
from dreamland.leads.models import Lead
from dreamland.lib.errors import Conflict

pytestmark = pytest.mark.django_db


def test_a_client_without_bookings_is_deleted_with_their_leads(
    make_lead: Callable[..., Any],
) -> None:
    lead = make_lead()
    client_delete(client=lead.client)
    assert not Client.objects.exists() and not Lead.objects.exists()


def test_a_client_who_booked_is_refused_and_nothing_is_deleted(
    make_booking: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    booking = make_booking()
    make_lead(client=booking.client)
    with pytest.raises(Conflict) as exc:
        client_delete(client=booking.client)
    assert exc.value.code == "has_bookings"
    assert str(exc.value) == f"Client #{booking.client_id} has bookings and cannot be deleted."
    assert Client.objects.filter(pk=booking.client_id).exists()
    assert Lead.objects.filter(client_id=booking.client_id).count() == 1
