from __future__ import annotations

import pytest

from dreamland.clients.models import Client


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[]",
        '["name", "phone"]',
        "null",
        '"text"',
        "12",
        '{"name": null, "phone": null}',
        '{"name": 5, "phone": [1]}',
        '{"name": "A", "phone": 1e400}',
        '{"name": "A", "phone": 99999999999999999999999999999999}',
        '{"name": "\\u0000", "phone": "+77011234567"}',
        '{"name": "Ω☃𝄞", "phone": "٨٧٠١١٢٣٤٥٦٧٨٩٠١٢٣٤٥"}',
        '{"name": "A", "phone": "+77011234567", "unknown": 1}',
    ],
)
def test_bad_bodies_are_4xx_and_change_nothing(agent, api_as, raw):
    r = api_as(agent).post("/clients", raw=raw)
    assert 400 <= r.status_code < 500, r.content
    assert "detail" in r.json()
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/clients/99999999999999999999999",
        "/clients/-1",
        "/clients/abc",
        "/leads?client_id=99999999999999999999",
        "/bookings?offset=-1",
        "/tour-departures?departure_date_from=yesterday",
        "/clients?created_at_from=4133-12-12T00:44:11-19:38",
        "/clients?created_at_from=0001-01-01T00:00:00%2B05:00&created_at_to=9999-12-31T23:59:59-05:00",
    ],
)
def test_bad_ids_and_queries_are_never_5xx(agent, api_as, path):
    assert api_as(agent).get(path).status_code < 500
    # and the connection is still usable (no database error was swallowed)
    assert Client.objects.count() == 0


def test_huge_numbers_in_bodies_are_422(agent, make_client, make_departure, api_as):
    r = api_as(agent).post(
        "/bookings",
        {
            "client_id": make_client().pk,
            "tour_departure_id": make_departure().pk,
            "num_participants": 10**30,
        },
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "num_participants"
