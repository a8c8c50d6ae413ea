from __future__ import annotations

from django.test import Client


def test_the_openapi_document_lists_every_collection(db):
    doc = Client().get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in (
        "/clients",
        "/leads",
        "/tours",
        "/tour-departures",
        "/bookings",
        "/payments",
        "/communications",
        "/whatsapp-templates",
        "/users",
        "/auth/token",
        "/leads/{lead_id}/convert",
        "/clients/{client_id}/messages",
    ):
        assert f"/api/v1{path}" in doc["paths"], path


def test_the_docs_page_uses_local_assets_only(db, settings):
    # Without collectstatic's manifest (tests), serve static names as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    r = Client().get("/api/v1/docs")
    html = r.content.decode()
    assert r.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
