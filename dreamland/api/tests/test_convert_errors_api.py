"""POST /leads/{id}/convert refuses what cannot become a booking, with a clear code."""

from __future__ import annotations

from dreamland.bookings.models import Booking
from dreamland.leads.models import Lead


def test_converting_a_lost_lead_is_422(manager, make_client, make_departure, api_as):
    lead = Lead.objects.create(client=make_client(), status="lost")
    r = api_as(manager).post(
        f"/leads/{lead.pk}/convert",
        {"tour_departure_id": make_departure(capacity=5).pk, "num_participants": 1},
    )
    assert r.status_code == 422 and "lost" in r.json()["detail"]
    assert not Booking.objects.exists()


def test_converting_twice_is_409_and_books_once(manager, make_client, make_departure, api_as):
    lead = Lead.objects.create(client=make_client())
    body = {"tour_departure_id": make_departure(capacity=5).pk, "num_participants": 1}
    api = api_as(manager)
    assert api.post(f"/leads/{lead.pk}/convert", body).status_code == 201
    r = api.post(f"/leads/{lead.pk}/convert", body)
    assert r.status_code == 409 and r.json()["code"] == "already_converted"
    assert Booking.objects.count() == 1


def test_an_unknown_departure_is_422_naming_the_field(manager, make_client, api_as):
    lead = Lead.objects.create(client=make_client())
    r = api_as(manager).post(
        f"/leads/{lead.pk}/convert", {"tour_departure_id": 999999, "num_participants": 1}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "tour_departure_id"
