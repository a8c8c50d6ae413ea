from __future__ import annotations

from dreamland.bookings.services import booking_cancel
from dreamland.tours.models import Tour


def test_everyone_reads_tours_and_departures_with_seats(
    agent, make_departure, make_booking, api_as
):
    departure = make_departure(capacity=10)
    make_booking(tour_departure=departure, num_participants=3)
    booking_cancel(booking=make_booking(tour_departure=departure, num_participants=2))
    api = api_as(agent)
    assert api.get("/tours").json()["items"][0]["base_price"] == "45000.00"
    body = api.get(f"/tour-departures?tour_id={departure.tour_id}").json()
    assert body["items"][0]["seats_taken"] == 3 and body["items"][0]["seats_left"] == 7
    assert api.get("/tour-departures?departure_date_from=2999-01-01").json()["count"] == 0


def test_only_admins_write_tours_and_departures(agent, manager, admin_user, api_as):
    payload = {"name": "Charyn Canyon", "base_price": "45000.00", "capacity": 20}
    assert api_as(agent).post("/tours", payload).status_code == 403
    assert api_as(manager).post("/tours", payload).status_code == 403
    admin = api_as(admin_user)
    r = admin.post("/tours", payload)
    assert r.status_code == 201
    tour_id = r.json()["id"]
    r = admin.post("/tour-departures", {"tour_id": tour_id, "departure_date": "2027-05-01"})
    assert r.status_code == 201 and r.json()["seats_left"] == 20
    assert admin.patch(f"/tours/{tour_id}", {"active": False}).json()["active"] is False
    assert api_as(agent).patch(f"/tours/{tour_id}", {"active": True}).status_code == 403
    assert Tour.objects.get(pk=tour_id).active is False


def test_capacity_below_seats_taken_is_409(admin_user, make_departure, make_booking, api_as):
    departure = make_departure(capacity=5)
    make_booking(tour_departure=departure, num_participants=4)
    r = api_as(admin_user).patch(f"/tour-departures/{departure.pk}", {"capacity": 3})
    assert r.status_code == 409


def test_the_departure_list_counts_seats_without_a_query_per_departure(
    agent, make_departure, make_booking, api_as, django_assert_max_num_queries
):
    for _ in range(6):
        departure = make_departure(capacity=5)
        make_booking(tour_departure=departure, num_participants=2)
    api = api_as(agent)
    with django_assert_max_num_queries(4):
        body = api.get("/tour-departures").json()
    assert [d["seats_left"] for d in body["items"]] == [3] * 6
