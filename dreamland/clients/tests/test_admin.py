"""Clients in the back office: phone identity and deletes go through the client services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dreamland.accounts.models import User
from dreamland.clients.models import Client
from dreamland.lib.tests.forms import empty_inline

pytestmark = pytest.mark.django_db
INLINES = {
    **empty_inline("leads"),
    **empty_inline("bookings"),
    **empty_inline("communications"),
}


def test_the_client_form_normalises_the_phone_and_rejects_garbage(
    login: Callable[[User], Any], admin_user: User
) -> None:
    http = login(admin_user)
    url = reverse("admin:clients_client_add")
    ok = http.post(url, {"name": "Aibek", "phone": "8 (701) 555-12-34", **INLINES})
    assert ok.status_code == 302
    assert Client.objects.filter(phone="+77015551234").exists()
    bad = http.post(url, {"name": "Nobody", "phone": "123", **INLINES})
    assert bad.status_code == 200
    assert "not a valid phone number" in bad.content.decode()
    dup = http.post(url, {"name": "Twin", "phone": "+7 701 555 1234", **INLINES})
    assert dup.status_code == 200
    assert Client.objects.filter(phone="+77015551234").count() == 1


def test_editing_a_client_goes_through_client_update(
    login: Callable[[User], Any], manager: User, make_client: Callable[..., Any]
) -> None:
    maria = make_client(name="Maria", phone="+77012345670")
    other = make_client(name="Aibek", phone="+77015551234")
    url = reverse("admin:clients_client_change", args=[maria.pk])
    form = {"name": " Maria K. ", "phone": "8 701 234 56 70", "email": " Maria@Mail.KZ ", **INLINES}
    assert login(manager).post(url, form).status_code == 302
    maria.refresh_from_db()
    assert (maria.name, maria.email) == ("Maria K.", "maria@mail.kz")
    # Another client's phone in another spelling: refused on the field, nothing changed.
    taken = login(manager).post(url, {**form, "phone": "+7 (701) 555-12-34"})
    assert taken.status_code == 200
    assert "already exists" in taken.content.decode()
    maria.refresh_from_db()
    assert maria.phone == "+77012345670" and other.phone == "+77015551234"


def test_a_client_who_booked_cannot_be_deleted_one_who_did_not_can(
    login: Callable[[User], Any],
    manager: User,
    make_client: Callable[..., Any],
    make_booking: Callable[..., Any],
) -> None:
    booked = make_booking().client
    free = make_client()
    http = login(manager)
    page = http.get(reverse("admin:clients_client_delete", args=[booked.pk]))
    assert page.status_code == 200 and "Cannot delete client" in page.content.decode()
    http.post(reverse("admin:clients_client_delete", args=[booked.pk]), {"post": "yes"})
    assert Client.objects.filter(pk=booked.pk).exists()
    response = http.post(reverse("admin:clients_client_delete", args=[free.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Client.objects.filter(pk=free.pk).exists()


def test_the_clients_changelist_costs_the_same_queries_for_5_or_50_clients(
    login: Callable[[User], Any], admin_user: User, make_lead: Callable[..., Any]
) -> None:
    http = login(admin_user)
    url = reverse("admin:clients_client_changelist")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(5):
        make_lead()
    few = count()
    for _ in range(45):
        make_lead()
    assert count() == few


def test_the_clients_search_finds_a_phone_in_any_spelling(
    login: Callable[[User], Any], admin_user: User, make_client: Callable[..., Any]
) -> None:
    make_client(name="Maria", phone="+77012345670")
    make_client(name="Someone else")
    response = login(admin_user).get(
        reverse("admin:clients_client_changelist"), {"q": "8 (701) 234-56-70"}
    )
    assert list(response.context["cl"].result_list.values_list("name", flat=True)) == ["Maria"]
