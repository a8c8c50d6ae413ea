"""Rule errors are English unless the caller sends `Accept-Language`; then they are translated."""

from __future__ import annotations

from datetime import date

from dreamland.leads.models import LeadStatus


def _full_departure(make_departure, make_booking):
    departure = make_departure(departure_date=date(2026, 12, 5), capacity=1)
    make_booking(tour_departure=departure, num_participants=1)
    return departure


def test_no_seats_left_is_english_without_accept_language(
    manager, make_client, make_departure, make_booking, api_as
):
    departure = _full_departure(make_departure, make_booking)
    manager.preferred_language = "ru"  # the web UI's language; the API does not follow it
    manager.save(update_fields=["preferred_language"])
    body = {"client_id": make_client().pk, "tour_departure_id": departure.pk, "num_participants": 1}
    r = api_as(manager).post("/bookings", body)
    assert r.status_code == 409
    assert r.json() == {
        "detail": f"No seats left on {departure.tour}, 2026-12-05.",
        "code": "no_seats",
    }
    assert r["Content-Language"] == "en"


def test_no_seats_left_is_russian_for_accept_language_ru(
    manager, make_client, make_departure, make_booking, api_as
):
    departure = _full_departure(make_departure, make_booking)
    api = api_as(manager)
    api.headers["Accept-Language"] = "ru-RU,ru;q=0.9,en;q=0.8"
    body = {"client_id": make_client().pk, "tour_departure_id": departure.pk, "num_participants": 1}
    r = api.post("/bookings", body)
    assert r.status_code == 409
    assert r.json() == {
        "detail": f"Свободных мест нет: {departure.tour}, 2026-12-05.",
        "code": "no_seats",
    }
    assert r["Content-Language"] == "ru"


def test_an_illegal_transition_is_explained_in_the_asked_language(
    manager, make_client, make_lead, api_as
):
    lead = make_lead(client=make_client(), status=LeadStatus.QUALIFIED)
    api = api_as(manager)
    r = api.patch(f"/leads/{lead.pk}", {"status": "new"})
    assert r.status_code == 422
    assert r.json()["detail"] == "A lead cannot move back from qualified to new."
    api.headers["Accept-Language"] = "ru"
    r = api.patch(f"/leads/{lead.pk}", {"status": "new"})
    assert r.status_code == 422
    assert r.json() == {
        "detail": "Лид нельзя вернуть из статуса «квалифицирован» в «новый».",
        "code": "illegal_transition",
    }
    api.headers["Accept-Language"] = "en"
    assert api.patch(f"/leads/{lead.pk}", {"status": "new"}).json()["detail"].startswith("A lead")


def test_the_apis_own_answers_follow_accept_language_too(manager, api_as):
    api = api_as(manager)
    assert api.get("/no-such-thing").json() == {"detail": "Not found.", "code": "not_found"}
    assert api.get("/no-such-thing/").json()["detail"] == "Not found."
    assert api.delete("/tours").json()["detail"].startswith("Method DELETE is not allowed here")
    api.headers["Accept-Language"] = "ru"
    not_found = "Не найдено."
    assert api.get("/no-such-thing").json() == {"detail": not_found, "code": "not_found"}
    assert api.get("/no-such-thing/").json()["detail"] == not_found
    assert api.delete("/tours").json()["detail"].startswith("Метод DELETE здесь не разрешён")
