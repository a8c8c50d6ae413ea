from __future__ import annotations

from datetime import date

from dreamland.bookings.models import Booking, Payment
from dreamland.leads.models import Lead


def test_it_books_seats_with_the_default_total(agent, make_client, make_departure, api_as):
    client, departure = make_client(), make_departure(price="45000.00", capacity=10)
    r = api_as(agent).post(
        "/bookings",
        {"client_id": client.pk, "tour_departure_id": departure.pk, "num_participants": 2},
    )
    assert r.status_code == 201
    body = r.json()
    assert body["total_amount"] == "90000.00" and body["currency"] == "KZT"
    assert body["status"] == "confirmed" and body["balance_due"] == "90000.00"
    assert body["overpayment"] == "0.00"


def test_no_seats_left_is_409(agent, make_client, make_departure, api_as):
    departure = make_departure(capacity=1)
    r = api_as(agent).post(
        "/bookings",
        {"client_id": make_client().pk, "tour_departure_id": departure.pk, "num_participants": 2},
    )
    assert r.status_code == 409 and r.json()["code"] == "no_seats"
    assert not Booking.objects.exists()


def test_unknown_departure_or_invisible_client_is_422(
    agent, other_agent, make_client, make_departure, api_as
):
    theirs = make_client()
    Lead.objects.create(client=theirs, assigned_agent=other_agent)
    api = api_as(agent)
    r = api.post(
        "/bookings",
        {"client_id": theirs.pk, "tour_departure_id": make_departure().pk, "num_participants": 1},
    )
    assert r.status_code == 422
    r = api.post(
        "/bookings",
        {"client_id": make_client().pk, "tour_departure_id": 999999, "num_participants": 1},
    )
    assert r.status_code == 422


def test_cancel_by_patch_frees_seats_and_delete_is_not_allowed(
    manager, make_client, make_departure, api_as, make_booking
):
    departure = make_departure(capacity=2)
    booking = make_booking(client=make_client(), tour_departure=departure, num_participants=2)
    api = api_as(manager)
    assert api.delete(f"/bookings/{booking.pk}").status_code == 405
    r = api.patch(f"/bookings/{booking.pk}", {"status": "cancelled"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert api.get(f"/tour-departures/{departure.pk}").json()["seats_left"] == 2
    assert api.patch(f"/bookings/{booking.pk}", {"status": "paid"}).status_code == 422


def test_agents_see_bookings_of_visible_clients_only(
    agent, other_agent, make_client, make_departure, api_as, make_booking
):
    departure = make_departure()
    theirs = make_client()
    Lead.objects.create(client=theirs, assigned_agent=other_agent)
    hidden = make_booking(client=theirs, tour_departure=departure, num_participants=1)
    shown = make_booking(client=make_client(), tour_departure=departure, num_participants=1)
    api = api_as(agent)
    assert [b["id"] for b in api.get("/bookings").json()["items"]] == [shown.pk]
    assert api.get(f"/bookings/{hidden.pk}").status_code == 404
    assert api.get(f"/bookings?client_id={theirs.pk}").json()["count"] == 0


def test_payments_cover_the_booking_and_it_becomes_paid(
    manager, make_client, make_departure, api_as, make_booking
):
    booking = make_booking(
        client=make_client(),
        tour_departure=make_departure(),
        num_participants=1,
        total_amount="1000.00",
        currency="KZT",
    )
    api = api_as(manager)
    r = api.post(
        "/payments", {"booking_id": booking.pk, "amount": "600.00", "payment_method": "kaspi"}
    )
    assert r.status_code == 201 and r.json()["amount"] == "600.00"
    assert api.get(f"/bookings/{booking.pk}").json()["balance_due"] == "400.00"
    api.post("/payments", {"booking_id": booking.pk, "amount": "500.00", "payment_method": "cash"})
    body = api.get(f"/bookings/{booking.pk}").json()
    assert (
        body["status"] == "paid"
        and body["overpayment"] == "100.00"
        and body["balance_due"] == "0.00"
    )
    assert api.get(f"/payments?booking_id={booking.pk}").json()["count"] == 2


def test_a_payment_status_moves_by_patch(
    manager, make_client, make_departure, api_as, make_booking, make_payment
):
    booking = make_booking(
        client=make_client(),
        tour_departure=make_departure(),
        num_participants=1,
        total_amount="1000.00",
        currency="KZT",
    )
    payment = make_payment(
        booking=booking,
        amount="1000.00",
        currency="KZT",
        payment_date=date(2026, 1, 1),
        payment_method="cash",
        status="pending",
    )
    api = api_as(manager)
    assert (
        api.patch(f"/payments/{payment.pk}", {"status": "completed"}).json()["status"]
        == "completed"
    )
    assert api.get(f"/bookings/{booking.pk}").json()["status"] == "paid"
    assert api.patch(f"/payments/{payment.pk}", {"status": "pending"}).status_code == 422


def test_the_booking_list_does_not_query_per_booking(
    manager,
    make_client,
    make_departure,
    api_as,
    django_assert_max_num_queries,
    make_booking,
    make_payment,
):
    departure = make_departure()
    for _ in range(8):
        b = make_booking(
            client=make_client(),
            tour_departure=departure,
            num_participants=1,
            total_amount="10.00",
            currency="KZT",
        )
        make_payment(
            booking=b,
            amount="5.00",
            currency="KZT",
            payment_date=date(2026, 1, 1),
            payment_method="cash",
            status="completed",
        )
    api = api_as(manager)
    with django_assert_max_num_queries(5):
        body = api.get("/bookings").json()
    assert all(b["balance_due"] == "5.00" for b in body["items"])


def test_agents_see_payments_of_visible_bookings_only(
    agent, other_agent, make_client, make_departure, api_as, make_booking, make_payment
):
    theirs = make_client()
    Lead.objects.create(client=theirs, assigned_agent=other_agent)
    departure = make_departure()
    hidden = make_booking(client=theirs, tour_departure=departure, num_participants=1)
    shown = make_booking(client=make_client(), tour_departure=departure, num_participants=1)
    for booking in (hidden, shown):
        make_payment(
            booking=booking,
            amount="1.00",
            currency="KZT",
            payment_date=date(2026, 1, 1),
            payment_method="cash",
        )
    api = api_as(agent)
    assert [p["booking_id"] for p in api.get("/payments").json()["items"]] == [shown.pk]
    hidden_payment = Payment.objects.get(booking=hidden)
    assert api.get(f"/payments/{hidden_payment.pk}").status_code == 404
    r = api.post("/payments", {"booking_id": hidden.pk, "amount": "5.00"})
    assert r.status_code == 422
