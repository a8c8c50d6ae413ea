"""Templates in the back office are checked by the same services as through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from dreamland.accounts.models import User
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.messaging.services import template_create

pytestmark = pytest.mark.django_db
FORM = {
    "name": "tour_reminder",
    "language": "ru",
    "category": "UTILITY",
    "content": "Здравствуйте, {{1}}! Ваш тур {{2}} завтра.",
    "variables": '["customer_name", "tour"]',
    "active": "on",
}


def test_an_admin_adds_a_template_the_api_would_accept(
    login: Callable[[User], Any], admin_user: User
) -> None:
    assert (
        login(admin_user).post(reverse("admin:messaging_whatsapptemplate_add"), FORM).status_code
        == 302
    )
    template = WhatsAppTemplate.objects.get(name="tour_reminder")
    assert template.variables == '["customer_name", "tour"]'


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "Tour Reminder"}, "name", "lowercase letters, digits and underscores"),
        ({"content": "Hello {{2}}", "variables": '["x"]'}, "content", "without gaps"),
        ({"variables": '["customer_name"]'}, "variables", "2 placeholder(s) but 1"),
        ({"variables": "not json"}, "variables", "JSON list of names"),
        ({"category": "SPAM"}, "category", "Select a valid choice"),
    ],
)
def test_the_back_office_refuses_what_the_api_refuses(
    login: Callable[[User], Any], admin_user: User, change: dict[str, str], field: str, message: str
) -> None:
    response = login(admin_user).post(
        reverse("admin:messaging_whatsapptemplate_add"), {**FORM, **change}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not WhatsAppTemplate.objects.exists()


def test_a_template_edit_is_checked_again(login: Callable[[User], Any], admin_user: User) -> None:
    template = template_create(
        name="welcome", content="Hello {{1}}", variables=["customer_name"], language="en"
    )
    url = reverse("admin:messaging_whatsapptemplate_change", args=[template.pk])
    form = {**FORM, "name": "welcome", "language": "en", "content": "Hello {{1}} and {{2}}"}
    form["variables"] = '["customer_name"]'
    assert login(admin_user).post(url, form).status_code == 200
    template.refresh_from_db()
    assert template.content == "Hello {{1}}"
