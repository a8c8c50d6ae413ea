"""The open-lead and assignable-staff rules, asked of the one selector each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from dreamland.accounts.models import Role, User
from dreamland.leads.models import Lead, LeadStatus
from dreamland.leads.selectors import lead_assignable_users, lead_open_for_client

pytestmark = pytest.mark.django_db


def test_open_lead_is_the_most_recent_open_one(make_client: Callable[..., Any]) -> None:
    client = make_client()
    assert lead_open_for_client(client_id=client.pk) is None
    older = Lead.objects.create(client=client, status=LeadStatus.CONTACTED)
    newer = Lead.objects.create(client=client, status=LeadStatus.NEW)
    Lead.objects.create(client=client, status=LeadStatus.LOST)
    Lead.objects.filter(pk=older.pk).update(created_at=newer.created_at)
    # Same created_at: the higher pk wins; closed leads never count.
    assert lead_open_for_client(client_id=client.pk) == newer
    with transaction.atomic():
        assert lead_open_for_client(client_id=client.pk, lock=True) == newer
    Lead.objects.filter(pk=newer.pk).update(status=LeadStatus.WON)
    assert lead_open_for_client(client_id=client.pk) == older


def test_assignable_users_are_active_agents_and_managers(
    agent: User, manager: User, admin_user: User
) -> None:
    gone = User.objects.create_user(
        email="gone@dreamland.test", password="x", name="Gone", role=Role.AGENT, is_active=False
    )
    users = set(lead_assignable_users())
    assert users == {agent, manager}
    assert admin_user not in users and gone not in users
