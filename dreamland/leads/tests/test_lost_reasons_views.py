"""/settings/lost-reasons/: managers read the list, admins edit it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.leads.models import LostReason

pytestmark = pytest.mark.django_db


def test_managers_read_the_list_and_agents_may_not(
    client: HttpClient, manager: User, agent: User
) -> None:
    client.force_login(manager)
    html = client.get("/settings/lost-reasons/").content.decode()
    assert "Дорого" in html  # the defaults of the data migration
    assert 'name="new-name"' not in html
    assert client.post("/settings/lost-reasons/", {"new-name": "X"}).status_code == 403
    client.force_login(agent)
    assert client.get("/settings/lost-reasons/").status_code == 403


def test_admins_add_rename_and_switch_off_reasons(client: HttpClient, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/settings/lost-reasons/",
        {"new-name": "Visa refused", "new-position": 9, "new-active": "on"},
    )
    assert response.status_code == 302
    reason = LostReason.objects.get(name="Visa refused")
    response = client.post(
        "/settings/lost-reasons/",
        {"reason": reason.pk, "new-name": "Visa denied", "new-position": 9},
    )
    assert response.status_code == 302
    reason.refresh_from_db()
    assert (reason.name, reason.active) == ("Visa denied", False)


def test_a_duplicate_or_empty_reason_is_refused_beside_the_field(
    client: HttpClient, admin_user: User
) -> None:
    client.force_login(admin_user)
    response = client.post("/settings/lost-reasons/", {"new-name": "дорого", "new-position": 0})
    assert response.status_code == 422
    assert "This reason is already in the list." in response.content.decode()
    response = client.post("/settings/lost-reasons/", {"new-name": "", "new-position": 0})
    assert response.status_code == 422
    assert (
        client.post(
            "/settings/lost-reasons/", {"reason": 999999, "new-name": "x", "new-position": 0}
        ).status_code
        == 404
    )
