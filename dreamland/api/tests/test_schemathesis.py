"""Property-based run of the whole OpenAPI document against the app (in-process WSGI).

Every operation gets a bounded number of generated requests with an admin's token; no answer
may be a 5xx or fall outside the documented schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from dreamland.accounts.models import Role, User
from dreamland.api.services import api_token_create
from dreamland.wsgi import application


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Calls into the WSGI app must not close the test's connection (Django's test client does
    the same): otherwise PostgreSQL loses the test transaction after the first request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def whatsapp_configured(settings) -> None:
    """Sends are queued with on_commit, which never fires inside the test transaction."""
    settings.WHATSAPP_ACCESS_TOKEN = "fuzz-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1065"
    settings.WHATSAPP_API_BASE = "http://127.0.0.1:9/v23.0"


@pytest.fixture
def bearer(
    db: None, keep_test_connection: None, whatsapp_configured: None, make_client, make_departure
) -> dict[str, str]:
    """An admin's token, plus a few rows so ids 1..n often exist."""
    admin = User.objects.create_user(
        email="fuzz@dreamland.test", password="fuzz-password", name="Fuzz", role=Role.ADMIN
    )
    make_client()
    make_departure()
    return {"Authorization": f"Bearer {api_token_create(user=admin)[1]}"}


# Loading the document touches no database table.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    # API_FUZZ_EXAMPLES=200 for a deeper run by hand; 10 keeps `make test` near 30 s.
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_never_errors_and_keeps_to_its_schema(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error, response_schema_conformance])
