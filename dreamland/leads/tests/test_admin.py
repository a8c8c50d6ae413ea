"""Leads in the back office: the pipeline rules and the assignable staff, as in the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from dreamland.accounts.models import User
from dreamland.leads.models import Lead, LeadStatus
from dreamland.lib.tests.forms import empty_inline

pytestmark = pytest.mark.django_db


def test_the_lead_form_refuses_an_illegal_status_change(
    login: Callable[[User], Any], admin_user: User, make_lead: Callable[..., Any]
) -> None:
    http = login(admin_user)
    lead = make_lead()
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    form = {"status": "won", "source": lead.source, **empty_inline("communications")}
    response = http.post(url, form)
    assert response.status_code == 200
    assert "converting it to a booking" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    form["status"] = "qualified"
    assert http.post(url, form).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def test_a_lead_is_offered_only_to_active_agents_and_managers(
    login: Callable[[User], Any], admin_user: User, agent: User, manager: User
) -> None:
    User.objects.create_user(email="gone@d.test", password="x" * 12, name="Gone", is_active=False)
    form = login(admin_user).get(reverse("admin:leads_lead_add")).context["adminform"].form
    choices = set(form.fields["assigned_agent"].queryset)
    assert choices == {agent, manager}


def test_leads_are_not_deleted_in_the_back_office(
    login: Callable[[User], Any], manager: User, make_lead: Callable[..., Any]
) -> None:
    lead = make_lead()
    response = login(manager).post(
        reverse("admin:leads_lead_delete", args=[lead.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()
