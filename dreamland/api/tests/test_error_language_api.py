"""Error messages are English unless the caller asks for another language."""

from __future__ import annotations


def test_field_errors_are_english_by_default(manager, api_as):
    r = api_as(manager).post("/clients", {"name": "E", "phone": "+77015550021", "email": "nope"})
    assert r.status_code == 422
    assert "valid email" in r.json()["detail"][0]["msg"]


def test_accept_language_ru_gives_russian_messages(manager, api_as):
    api = api_as(manager)
    api.headers["Accept-Language"] = "ru"
    r = api.post("/clients", {"name": "E", "phone": "+77015550022", "email": "nope"})
    assert r.status_code == 422
    assert "valid email" not in r.json()["detail"][0]["msg"]
