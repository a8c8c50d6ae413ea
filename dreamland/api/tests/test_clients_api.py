from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dreamland.clients.models import Client
from dreamland.leads.models import Lead


def test_it_creates_a_client_with_a_normalised_phone(agent, api_as):
    r = api_as(agent).post("/clients", {"name": "Maria", "phone": "8 (701) 123-45-67"})
    assert r.status_code == 201
    body = r.json()
    assert body["phone"] == "+77011234567"
    assert body["lifetime_value"] == "0.00" and body["lifetime_value_currency"] == "KZT"
    assert {"id", "created_at", "updated_at", "preferred_language"} <= set(body)


def test_a_known_phone_in_another_spelling_is_409_with_the_existing_client(agent, api_as):
    api = api_as(agent)
    first = api.post("/clients", {"name": "Maria", "phone": "+7 701 123 4567"}).json()
    r = api.post("/clients", {"name": "Maria again", "phone": "87011234567"})
    assert r.status_code == 409
    assert r.json()["client_id"] == first["id"] and r.json()["code"] == "duplicate_phone"
    assert Client.objects.count() == 1


def test_an_unparseable_phone_is_422_per_field(agent, api_as):
    r = api_as(agent).post("/clients", {"name": "X", "phone": "hello"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "phone"]
    assert not Client.objects.exists()


def test_it_filters_by_phone_in_any_spelling_name_and_date(manager, make_client, api_as):
    maria = make_client(name="Maria Ivanova", phone="+77011234567")
    make_client(name="Aslan")
    api = api_as(manager)
    assert [c["id"] for c in api.get("/clients?phone=8 701 123 45 67").json()["items"]] == [
        maria.pk
    ]
    assert api.get("/clients?phone=garbage").json() == {"items": [], "count": 0}
    assert [c["id"] for c in api.get("/clients?name=ivan").json()["items"]] == [maria.pk]
    assert api.get("/clients?created_at_from=2999-01-01T00:00:00Z").json()["count"] == 0
    assert api.get("/clients?created_at_to=2999-01-01T00:00:00Z").json()["count"] == 2


def test_limit_and_offset_page_the_list(manager, make_client, api_as):
    for _ in range(5):
        make_client()
    api = api_as(manager)
    body = api.get("/clients?limit=2&offset=4").json()
    assert body["count"] == 5 and len(body["items"]) == 1
    assert api.get("/clients?limit=501").status_code == 422
    assert api.get("/clients?limit=0").status_code == 422


def test_agents_see_clients_of_their_and_unassigned_leads_and_lead_less_clients(
    agent, other_agent, make_client, api_as
):
    mine, unassigned, lonely, theirs = (make_client() for _ in range(4))
    Lead.objects.create(client=mine, assigned_agent=agent)
    Lead.objects.create(client=unassigned)
    Lead.objects.create(client=theirs, assigned_agent=other_agent)
    api = api_as(agent)
    ids = {c["id"] for c in api.get("/clients").json()["items"]}
    assert ids == {mine.pk, unassigned.pk, lonely.pk}
    assert api.get(f"/clients/{theirs.pk}").status_code == 404
    assert api.patch(f"/clients/{theirs.pk}", {"name": "X"}).status_code == 404


def test_patch_changes_only_what_was_sent(agent, make_client, api_as):
    client = make_client(name="Old", email="a@b.kz")
    r = api_as(agent).patch(f"/clients/{client.pk}", {"name": "New"})
    assert r.status_code == 200 and r.json()["name"] == "New" and r.json()["email"] == "a@b.kz"
    assert api_as(agent).patch(f"/clients/{client.pk}", {"name": None}).status_code == 422


def test_patch_to_a_taken_phone_is_409(agent, make_client, api_as):
    a, b = make_client(), make_client()
    r = api_as(agent).patch(f"/clients/{a.pk}", {"phone": b.phone})
    assert r.status_code == 409 and r.json()["client_id"] == b.pk


def test_delete_is_refused_with_409_when_the_client_has_bookings(
    agent, manager, make_client, make_departure, api_as, make_booking
):
    client, free = make_client(), make_client()
    assert api_as(agent).delete(f"/clients/{free.pk}").status_code == 403
    make_booking(client=client, tour_departure=make_departure(), num_participants=1)
    api = api_as(manager)
    assert api.delete(f"/clients/{client.pk}").status_code == 409
    assert api.delete(f"/clients/{free.pk}").status_code == 204
    assert list(Client.objects.values_list("pk", flat=True)) == [client.pk]


def test_lifetime_value_sums_completed_payments_in_the_asked_currency(
    manager, make_client, make_departure, api_as, make_booking, make_payment
):
    client = make_client()
    booking = make_booking(
        client=client,
        tour_departure=make_departure(),
        num_participants=2,
        total_amount=Decimal("90000.00"),
        currency="KZT",
    )
    make_payment(
        booking=booking,
        amount=Decimal("45000"),
        currency="KZT",
        payment_date=date(2026, 1, 5),
        payment_method="cash",
        status="completed",
    )
    make_payment(
        booking=booking,
        amount=Decimal("999"),
        currency="KZT",
        payment_date=date(2026, 1, 6),
        payment_method="cash",
        status="failed",
    )
    body = api_as(manager).get(f"/clients/{client.pk}").json()
    assert body["lifetime_value"] == "45000.00"
    missing_rate = api_as(manager).get(f"/clients/{client.pk}?currency=USD").json()
    assert (
        missing_rate["lifetime_value"] is None and missing_rate["lifetime_value_currency"] == "USD"
    )


def test_the_list_does_not_query_per_client(
    manager,
    make_client,
    make_departure,
    api_as,
    django_assert_max_num_queries,
    make_booking,
    make_payment,
):
    departure = make_departure()
    for _ in range(10):
        booking = make_booking(
            client=make_client(),
            tour_departure=departure,
            num_participants=1,
            total_amount=1,
            currency="KZT",
        )
        make_payment(
            booking=booking,
            amount=1,
            currency="KZT",
            payment_date=date(2026, 1, 1),
            payment_method="cash",
            status="completed",
        )
    api = api_as(manager)
    with django_assert_max_num_queries(6):
        body = api.get("/clients").json()
    assert body["count"] == 10 and all(c["lifetime_value"] == "1.00" for c in body["items"])


def test_lifetime_value_is_converted_at_each_payments_date(
    manager, make_client, make_departure, api_as, make_booking, make_payment
):
    from dreamland.money.models import ExchangeRate

    client = make_client()
    booking = make_booking(
        client=client,
        tour_departure=make_departure(),
        num_participants=1,
        total_amount=Decimal("90000.00"),
        currency="KZT",
    )
    make_payment(
        booking=booking,
        amount=Decimal("45000"),
        currency="KZT",
        payment_date=date(2026, 1, 5),
        payment_method="cash",
        status="completed",
    )
    ExchangeRate.objects.create(date=date(2026, 1, 5), currency="USD", rate=Decimal("500"))
    manager.preferred_currency = "USD"
    manager.save()
    body = api_as(manager).get(f"/clients/{client.pk}").json()
    assert body["lifetime_value"] == "90.00" and body["lifetime_value_currency"] == "USD"
    assert (
        api_as(manager).get(f"/clients/{client.pk}?currency=KZT").json()["lifetime_value"]
        == "45000.00"
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_a_name_search_takes_the_same_queries_for_1_or_50_rows(
    rows, agent, other_agent, make_client, make_lead, api_as, django_assert_num_queries
):
    # given: matching clients of the agent's leads, and one of another agent's they may not see
    mine = [make_client(name=f"Ivanova {i}") for i in range(rows)]
    for client in mine:
        make_lead(client=client, assigned_agent=agent)
    make_lead(client=make_client(name="Ivanova hidden"), assigned_agent=other_agent)
    api = api_as(agent)
    api.get("/clients?name=ivanova")  # the token's last use stamped
    # when: token, the matches' keys in order (the page and the count), the page's rows,
    # lifetime values
    with django_assert_num_queries(4):
        body = api.get("/clients?name=ivanova&limit=50").json()
    # then
    assert [c["id"] for c in body["items"]] == [c.pk for c in reversed(mine)]
    assert body["count"] == rows and "next_cursor" not in body


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_a_name_search_past_one_page_counts_the_matches_and_gives_a_cursor(
    persona, request, make_client, api_as
):
    made = [make_client(name=f"Ivanova {i}") for i in range(7)]  # no lead: agents see them
    api = api_as(request.getfixturevalue(persona))
    first = api.get("/clients?name=ivanova&limit=5").json()
    assert first["count"] == 7 and [c["id"] for c in first["items"]] == [
        c.pk for c in reversed(made[2:])
    ]
    rest = api.get(f"/clients?name=ivanova&limit=5&cursor={first['next_cursor']}").json()
    assert [c["id"] for c in rest["items"]] == [made[1].pk, made[0].pk]
