"""The back office speaks the logged-in user's `preferred_language` (SPEC §4, §5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from conftest import PASSWORD
from dreamland.accounts.models import User
from dreamland.bookings.services import booking_create
from dreamland.leads.models import Lead


def _log_in(http: HttpClient, user: User, language: str) -> HttpClient:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    response = http.post(
        reverse("admin:login"), {"username": user.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return http


@pytest.fixture
def booking(make_client: Any, make_departure: Any) -> Any:
    return booking_create(
        client=make_client(), tour_departure=make_departure(capacity=10), num_participants=2
    )


@pytest.mark.django_db
def test_a_russian_speaking_manager_gets_the_back_office_in_russian(
    client: HttpClient, manager: User, booking: Any
) -> None:
    http = _log_in(client, manager, "ru")
    index = http.get(reverse("admin:index")).content.decode()
    for russian in ("Бэк-офис", "Лиды", "Клиенты", "Бронирования", "Платежи", "Выезды туров"):
        assert russian in index
    assert "Bookings" not in index and "Tour departures" not in index

    changelist = http.get(reverse("admin:bookings_booking_changelist")).content.decode()
    for russian in ("Количество участников", "Стоимость", "Подтверждено", "Отменить выбранные"):
        assert russian in changelist
    assert "Confirmed" not in changelist


@pytest.mark.django_db
def test_an_english_speaking_manager_gets_it_in_english(
    client: HttpClient, manager: User, booking: Any
) -> None:
    http = _log_in(client, manager, "en")
    index = http.get(reverse("admin:index")).content.decode()
    assert "Back office" in index and "Tour departures" in index and "Бронирования" not in index
    changelist = http.get(reverse("admin:bookings_booking_changelist")).content.decode()
    assert "Participants" in changelist and "Confirmed" in changelist


@pytest.mark.django_db
def test_a_refused_change_is_explained_in_russian(
    client: HttpClient, manager: User, make_client: Any
) -> None:
    lead = Lead.objects.create(client=make_client())
    http = _log_in(client, manager, "ru")
    form = {
        "status": "won",
        "source": lead.source,
        "communications-TOTAL_FORMS": "0",
        "communications-INITIAL_FORMS": "0",
    }
    response = http.post(reverse("admin:leads_lead_change", args=[lead.pk]), form)
    assert response.status_code == 200
    assert (
        "Лид становится успешным только при оформлении по нему бронирования."
        in response.content.decode()
    )
