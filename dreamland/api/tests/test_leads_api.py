from __future__ import annotations

from dreamland.bookings.models import Booking
from dreamland.leads.models import Lead


def test_agents_see_their_and_unassigned_leads_only(agent, other_agent, make_client, api_as):
    mine = Lead.objects.create(client=make_client(), assigned_agent=agent)
    free = Lead.objects.create(client=make_client())
    theirs = Lead.objects.create(client=make_client(), assigned_agent=other_agent)
    api = api_as(agent)
    assert {lead["id"] for lead in api.get("/leads").json()["items"]} == {mine.pk, free.pk}
    assert api.get(f"/leads/{theirs.pk}").status_code == 404
    assert api.patch(f"/leads/{theirs.pk}", {"status": "contacted"}).status_code == 404


def test_managers_see_every_lead_and_filter_by_erd_columns(
    manager, agent, make_client, make_tour, api_as
):
    tour = make_tour()
    a = Lead.objects.create(
        client=make_client(), assigned_agent=agent, tour_interest=tour, source="website"
    )
    Lead.objects.create(client=make_client(), status="contacted")
    api = api_as(manager)
    assert api.get("/leads").json()["count"] == 2
    for query in (
        f"assigned_agent_id={agent.pk}",
        f"tour_interest_id={tour.pk}",
        "source=website",
        "status=new",
        f"client_id={a.client_id}",
    ):
        assert [x["id"] for x in api.get(f"/leads?{query}").json()["items"]] == [a.pk], query
    assert api.get("/leads?status=bogus").status_code == 422


def test_it_creates_a_lead_and_answers_erd_field_names(agent, make_client, api_as):
    client = make_client()
    r = api_as(agent).post("/leads", {"client_id": client.pk, "assigned_agent_id": agent.pk})
    assert r.status_code == 201
    body = r.json()
    assert body["client_id"] == client.pk and body["assigned_agent_id"] == agent.pk
    assert body["status"] == "new" and body["tour_interest_id"] is None


def test_status_moves_forward_and_illegal_moves_are_422(agent, make_client, api_as):
    lead = Lead.objects.create(client=make_client(), assigned_agent=agent, status="qualified")
    api = api_as(agent)
    assert api.patch(f"/leads/{lead.pk}", {"status": "new"}).status_code == 422
    assert api.patch(f"/leads/{lead.pk}", {"status": "won"}).json()["code"] == "illegal_transition"
    r = api.patch(f"/leads/{lead.pk}", {"status": "quoted"})
    assert r.status_code == 200 and r.json()["status"] == "quoted"


def test_agents_cannot_reassign_but_may_take_an_unassigned_lead(
    agent, other_agent, make_client, api_as
):
    mine = Lead.objects.create(client=make_client(), assigned_agent=agent)
    free = Lead.objects.create(client=make_client())
    api = api_as(agent)
    assert api.patch(f"/leads/{mine.pk}", {"assigned_agent_id": other_agent.pk}).status_code == 403
    assert api.patch(f"/leads/{free.pk}", {"assigned_agent_id": other_agent.pk}).status_code == 403
    assert Lead.objects.get(pk=mine.pk).assigned_agent_id == agent.pk
    assert api.patch(f"/leads/{free.pk}", {"assigned_agent_id": agent.pk}).status_code == 200
    assert Lead.objects.get(pk=free.pk).assigned_agent_id == agent.pk


def test_managers_reassign(manager, agent, other_agent, make_client, api_as):
    lead = Lead.objects.create(client=make_client(), assigned_agent=agent)
    r = api_as(manager).patch(f"/leads/{lead.pk}", {"assigned_agent_id": other_agent.pk})
    assert r.status_code == 200 and r.json()["assigned_agent_id"] == other_agent.pk


def test_convert_books_the_client_and_wins_the_lead(agent, make_client, make_departure, api_as):
    lead = Lead.objects.create(client=make_client(), assigned_agent=agent)
    departure = make_departure(capacity=3, price="45000.00")
    api = api_as(agent)
    r = api.post(
        f"/leads/{lead.pk}/convert", {"tour_departure_id": departure.pk, "num_participants": 2}
    )
    assert r.status_code == 201
    body = r.json()
    assert body["lead_id"] == lead.pk and body["total_amount"] == "90000.00"
    assert body["balance_due"] == "90000.00" and body["paid_amount"] == "0.00"
    assert Lead.objects.get(pk=lead.pk).status == "won"
    again = api.post(
        f"/leads/{lead.pk}/convert", {"tour_departure_id": departure.pk, "num_participants": 1}
    )
    assert again.status_code == 409


def test_convert_without_seats_is_409_and_leaves_the_lead_open(
    agent, make_client, make_departure, api_as
):
    lead = Lead.objects.create(client=make_client(), assigned_agent=agent)
    departure = make_departure(capacity=1)
    r = api_as(agent).post(
        f"/leads/{lead.pk}/convert", {"tour_departure_id": departure.pk, "num_participants": 2}
    )
    assert r.status_code == 409 and r.json()["code"] == "no_seats"
    assert Lead.objects.get(pk=lead.pk).status == "new" and not Booking.objects.exists()


def test_leads_cannot_be_deleted(manager, make_client, api_as):
    lead = Lead.objects.create(client=make_client())
    assert api_as(manager).delete(f"/leads/{lead.pk}").status_code == 405


def test_the_list_has_a_fixed_number_of_queries(
    manager, make_client, api_as, django_assert_num_queries
):
    for _ in range(5):
        Lead.objects.create(client=make_client())
    api = api_as(manager)
    with django_assert_num_queries(3):  # token, its last_used_at, page (it fits: no count)
        assert api.get("/leads").json()["count"] == 5
