"""PATCH: an absent field is left alone; `null` on a field that cannot be empty is a 422."""

from __future__ import annotations

from dreamland.messaging.models import WhatsAppTemplate


def test_null_head_count_or_total_on_a_booking_is_422(
    manager, make_departure, make_booking, api_as
):
    booking = make_booking(tour_departure=make_departure(capacity=10), num_participants=2)
    api = api_as(manager)
    for field in ("num_participants", "total_amount", "status"):
        r = api.patch(f"/bookings/{booking.pk}", {field: None})
        assert r.status_code == 422, field
        assert r.json()["detail"][0]["loc"][-1] == field
    booking.refresh_from_db()
    assert booking.num_participants == 2 and booking.status == "confirmed"


def test_null_on_a_template_field_is_422_and_changes_nothing(admin_user, api_as):
    template = WhatsAppTemplate.objects.create(
        name="hello", content="Hi {{1}}", variables='["name"]', active=True, language="ru"
    )
    api = api_as(admin_user)
    for field in ("name", "content", "active", "language", "variables", "category"):
        r = api.patch(f"/whatsapp-templates/{template.pk}", {field: None})
        assert r.status_code == 422, field
    template.refresh_from_db()
    assert template.active is True and template.name == "hello"


def test_an_empty_patch_changes_nothing(manager, make_client, api_as):
    client = make_client()
    before = client.updated_at
    r = api_as(manager).patch(f"/clients/{client.pk}", {})
    assert r.status_code == 200
    client.refresh_from_db()
    assert client.updated_at == before
