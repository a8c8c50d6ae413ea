"""The back office as a whole: every admin page renders for an admin; agents are kept out.

Each app's own admin rules are tested beside it (`dreamland/<app>/tests/test_admin.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from dreamland.accounts.models import User
from dreamland.messaging.services import template_create
from dreamland.money.models import ExchangeRate

MODELS = [
    ("accounts", "user"),
    ("clients", "client"),
    ("tours", "tour"),
    ("tours", "tourdeparture"),
    ("leads", "lead"),
    ("bookings", "booking"),
    ("bookings", "payment"),
    ("messaging", "communication"),
    ("messaging", "whatsapptemplate"),
    ("money", "exchangerate"),
]


@pytest.fixture
def rows(
    admin_user: User,
    make_departure: Any,
    make_booking: Any,
    make_payment: Any,
    make_inbound: Any,
) -> dict[str, Any]:
    comm = make_inbound(phone="+77012345670", name="Maria", body="Hi")
    client, lead = comm.client, comm.lead
    departure = make_departure(capacity=10)
    booking = make_booking(client=client, tour_departure=departure, num_participants=2)
    payment = make_payment(booking=booking, amount="1000")
    template = template_create(name="welcome", content="Hello {{1}}", variables=["customer_name"])
    rate = ExchangeRate.objects.create(date=date.today(), currency="USD", rate=Decimal("520"))
    return {
        "user": admin_user,
        "client": client,
        "tour": departure.tour,
        "tourdeparture": departure,
        "lead": lead,
        "booking": booking,
        "payment": payment,
        "communication": comm,
        "whatsapptemplate": template,
        "exchangerate": rate,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_changelist_add_and_change_page_renders_for_an_admin(
    login: Callable[[User], HttpClient], rows: dict[str, Any], app: str, model: str
) -> None:
    http = login(rows["user"])
    assert http.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert http.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "x"}).status_code == 200
    change = http.get(reverse(f"admin:{app}_{model}_change", args=[rows[model].pk]))
    assert change.status_code == 200
    add = http.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code == (403 if model == "communication" else 200)


@pytest.mark.django_db
def test_the_site_is_called_dreamland_pro(
    login: Callable[[User], HttpClient], admin_user: User
) -> None:
    assert b"Dreamland PRO" in login(admin_user).get(reverse("admin:index")).content


@pytest.mark.django_db
def test_an_agent_gets_no_back_office(
    login: Callable[[User], HttpClient], agent: User, rows: Any
) -> None:
    http = login(agent)
    response = http.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert http.get(reverse("admin:clients_client_changelist")).status_code == 302


@pytest.mark.django_db
def test_a_manager_works_clients_but_cannot_see_or_edit_users(
    login: Callable[[User], HttpClient], manager: User, rows: dict[str, Any]
) -> None:
    http = login(manager)
    assert http.get(reverse("admin:clients_client_changelist")).status_code == 200
    assert http.get(reverse("admin:accounts_user_changelist")).status_code == 403
    url = reverse("admin:accounts_user_change", args=[rows["user"].pk])
    assert http.post(url, {"email": "x@y.z", "name": "X", "role": "agent"}).status_code == 403
    assert http.get(reverse("admin:money_exchangerate_add")).status_code == 403
