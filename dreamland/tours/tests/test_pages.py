"""The tours pages: /tours/, /tours/<id>/, /departures/<id>/ and the manifest CSV, by persona."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.bookings.services import booking_cancel, booking_create
from dreamland.leads.models import Lead
from dreamland.tours.manifest import _travellers_relation

pytestmark = pytest.mark.django_db

SOON = date.today() + timedelta(days=20)


def _as(client: HttpClient, user: User) -> HttpClient:
    client.force_login(user)
    return client


def _book(departure: Any, client: Any, n: int = 2) -> Any:
    return booking_create(client=client, tour_departure=departure, num_participants=n)


def test_every_role_sees_tours_with_upcoming_departures_and_occupancy(
    client: HttpClient,
    agent: User,
    make_tour: Callable[..., Any],
    make_departure: Any,
    make_client: Any,
) -> None:
    tour = make_tour(name="Charyn Canyon", capacity=10)
    departure = make_departure(tour=tour, departure_date=SOON)
    make_departure(tour=tour, departure_date=date.today() - timedelta(days=3))
    _book(departure, make_client(), 4)
    html = _as(client, agent).get("/tours/").content.decode()
    assert "Charyn Canyon" in html
    assert "4 / 10" in html
    assert 'value="40"' in html  # the occupancy meter
    assert f'href="/departures/{departure.pk}/"' in html
    assert "New tour" not in html  # agents read only


def test_inactive_tours_show_only_under_all(
    client: HttpClient, manager: User, make_tour: Callable[..., Any]
) -> None:
    make_tour(name="Old Tour", active=False)
    _as(client, manager)
    assert "Old Tour" not in client.get("/tours/").content.decode()
    assert "Old Tour" in client.get("/tours/?show=all").content.decode()
    assert client.get("/tours/?show=nonsense").status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_tours_list_takes_the_same_queries_for_1_and_50_tours(
    client: HttpClient,
    manager: User,
    make_tour: Callable[..., Any],
    make_departure: Any,
    make_client: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    for _ in range(count):
        departure = make_departure(tour=make_tour(), departure_date=SOON)
        _book(departure, make_client(), 1)
    _as(client, manager)
    # session, user, unread total, tours count, tours page, departures prefetch
    with django_assert_num_queries(6):
        response = client.get("/tours/")
    assert response.status_code == 200
    assert response.content.decode().count("data-tour=") == count


def test_the_tour_page_lists_upcoming_and_past_departures(
    client: HttpClient, agent: User, make_tour: Callable[..., Any], make_departure: Any
) -> None:
    tour = make_tour(name="Kolsai Lakes", description="Two lakes & a night")
    make_departure(tour=tour, departure_date=SOON, price=Decimal("50000"))
    make_departure(tour=tour, departure_date=date.today() - timedelta(days=40))
    html = _as(client, agent).get(f"/tours/{tour.pk}/").content.decode()
    assert "Upcoming departures" in html and "Past departures" in html
    assert "Two lakes &amp; a night" in html
    assert "Edit tour" not in html


def test_an_unknown_tour_or_departure_is_404(client: HttpClient, agent: User) -> None:
    _as(client, agent)
    assert client.get("/tours/999999/").status_code == 404
    assert client.get("/departures/999999/").status_code == 404
    assert client.get("/departures/999999/manifest.csv").status_code == 404


def test_pages_need_a_login(client: HttpClient) -> None:
    response = client.get("/tours/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- the departure page and its manifest -----------------------------------------------------


def test_the_manifest_lists_bookings_with_phone_participants_status_and_balance(
    client: HttpClient, manager: User, make_departure: Any, make_client: Any
) -> None:
    departure = make_departure(price=Decimal("30000"), capacity=12)
    maria = make_client(name="Maria Ivanova", phone="+77012345670")
    _book(departure, maria, 3)
    gone = _book(departure, make_client(name="Gone Guest"), 2)
    booking_cancel(booking=gone)
    response = _as(client, manager).get(f"/departures/{departure.pk}/")
    html = response.content.decode()
    assert "Maria Ivanova" in html and "+77012345670" in html
    assert "₸90,000" in html  # 3 seats at 30 000 due
    assert "3 / 12" in html  # the cancelled booking freed its seats
    assert "<s>Gone Guest</s>" in html  # struck through, in its own section
    assert "Download CSV" in html and "Edit departure" in html


def test_an_agent_sees_only_their_clients_on_the_manifest(
    client: HttpClient,
    agent: User,
    other_agent: User,
    make_departure: Any,
    make_client: Any,
) -> None:
    departure = make_departure()
    mine, theirs = make_client(name="Mine Client"), make_client(name="Theirs Client")
    Lead.objects.create(client=mine, assigned_agent=agent)
    Lead.objects.create(client=theirs, assigned_agent=other_agent)
    _book(departure, mine, 1)
    _book(departure, theirs, 5)
    html = _as(client, agent).get(f"/departures/{departure.pk}/").content.decode()
    assert "Mine Client" in html and "Theirs Client" not in html
    assert "6 / 20" in html  # the seats count every booking
    assert "Edit departure" not in html
    csv_text = client.get(f"/departures/{departure.pk}/manifest.csv").content.decode("utf-8-sig")
    assert "Mine Client" in csv_text and "Theirs Client" not in csv_text


@pytest.mark.parametrize("count", [1, 50])
def test_the_departure_page_takes_the_same_queries_for_1_and_50_bookings(
    client: HttpClient,
    manager: User,
    make_departure: Any,
    make_client: Any,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    departure = make_departure(capacity=200)
    for _ in range(count):
        _book(departure, make_client(), 1)
    _as(client, manager)
    # session, user, unread total, departure with seats, bookings, completed payments
    # (+ travellers once bookings.Traveller exists)
    with django_assert_num_queries(6 + (_travellers_relation() is not None)):
        response = client.get(f"/departures/{departure.pk}/")
    assert response.content.decode().count("data-booking=") == count


def test_the_manifest_csv_is_excel_ready_and_neutralises_formulas(
    client: HttpClient, manager: User, make_departure: Any, make_client: Any
) -> None:
    departure = make_departure(price=Decimal("1000"))
    _book(departure, make_client(name='=HYPERLINK("http://evil")'), 2)
    _book(departure, make_client(name="Алия Сериковна"), 1)
    response = _as(client, manager).get(f"/departures/{departure.pk}/manifest.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Booking", "Client", "Travellers", "Phone"]
    names = {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in names and "Алия Сериковна" in names
    assert {row[6] for row in rows[1:]} == {"2000.00", "1000.00"}


def test_the_departure_page_has_a_print_button_and_stylesheet(
    client: HttpClient, agent: User, make_departure: Any
) -> None:
    html = _as(client, agent).get(f"/departures/{make_departure().pk}/").content.decode()
    assert "data-print" in html and "tours/departure.js" in html and "tours/tours.css" in html
    assert "No bookings yet" in html
