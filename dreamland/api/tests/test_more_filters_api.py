"""More ERD-column filters: a filter an outsider expects must filter, not be silently ignored."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_leads_bookings_and_messages_filter_by_the_clients_phone_in_any_spelling(
    manager, make_client, make_departure, make_booking, api_as
):
    maria, other = make_client(phone="+77011234567"), make_client()
    departure = make_departure(capacity=10)
    lead = Lead.objects.create(client=maria)
    Lead.objects.create(client=other)
    booking = make_booking(client=maria, tour_departure=departure, num_participants=1)
    make_booking(client=other, tour_departure=departure, num_participants=1)
    message = Communication.objects.create(
        client=maria, communication_type="whatsapp", direction="inbound", body="hi"
    )
    Communication.objects.create(
        client=other, communication_type="whatsapp", direction="outbound", body="yo"
    )
    api = api_as(manager)
    for spelling in ("8 (701) 123-45-67", "+7 701 123 4567", "87011234567", "77011234567"):
        q = quote(spelling)
        assert _ids(api.get(f"/leads?phone={q}")) == [lead.pk], spelling
        assert _ids(api.get(f"/bookings?phone={q}")) == [booking.pk], spelling
        assert _ids(api.get(f"/communications?phone={q}")) == [message.pk], spelling
    assert _ids(api.get("/leads?phone=garbage")) == []
    assert _ids(api.get("/communications?direction=inbound")) == [message.pk]
    assert api.get("/communications?direction=sideways").status_code == 422


def test_clients_users_departures_filter_by_more_columns(
    manager, make_client, make_departure, api_as
):
    ann = make_client(email="Ann@Example.kz", preferred_language="en")
    make_client(email="bob@example.kz", preferred_language="ru")
    soon = make_departure(departure_date=date.today() + timedelta(days=3))
    make_departure(departure_date=date.today() + timedelta(days=9))
    api = api_as(manager)
    assert _ids(api.get("/clients?email=ann@example.kz")) == [ann.pk]
    assert _ids(api.get("/clients?preferred_language=en")) == [ann.pk]
    assert _ids(api.get(f"/users?email={quote(manager.email.upper())}")) == [manager.pk]
    assert _ids(api.get(f"/tour-departures?departure_date={soon.departure_date}")) == [soon.pk]
