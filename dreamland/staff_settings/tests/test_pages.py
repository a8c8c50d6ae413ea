"""The settings pages: admins edit, managers read, agents get 403; bad input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from conftest import PASSWORD
from dreamland.accounts.models import Role, User
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.messaging.services import template_create
from dreamland.money.models import ExchangeRate

pytestmark = pytest.mark.django_db

NBK = Path(__file__).resolve().parents[2] / "money" / "tests" / "fixtures" / "nbk_2026-11-25.xml"
PAGES = [
    "/settings/",
    "/settings/users/",
    "/settings/templates/",
    "/settings/rates/",
    "/settings/tour-aliases/",
]


def _as(client: HttpClient, user: User) -> HttpClient:
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_agents_get_403_on_every_settings_page(client: HttpClient, agent: User, path: str) -> None:
    assert _as(client, agent).get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_admins_and_managers_open_every_settings_page(
    client: HttpClient, admin_user: User, manager: User, path: str
) -> None:
    assert _as(client, admin_user).get(path).status_code == 200
    html = _as(client, manager).get(path).content.decode()
    assert 'href="/settings/lost-reasons/"' in html


def test_managers_read_the_forms_disabled_and_cannot_write(
    client: HttpClient, manager: User, agent: User
) -> None:
    _as(client, manager)
    html = client.get("/settings/users/").content.decode()
    assert "only an admin can change them" in html and "Create user" not in html
    html = client.get(f"/settings/users/{agent.pk}/").content.decode()
    assert 'name="email"' in html and "disabled" in html
    assert "Reset password" not in html and "Save" not in html
    writes = [
        ("/settings/users/", {"name": "X", "email": "x@dreamland.test"}),
        (f"/settings/users/{agent.pk}/", {"role": "admin"}),
        (f"/settings/users/{agent.pk}/password/", {"password1": "x", "password2": "x"}),
        ("/settings/templates/new/", {"name": "x"}),
        ("/settings/rates/", {"currency": "USD"}),
        ("/settings/round-robin/", {"enabled": "off"}),
    ]
    for path, data in writes:
        assert client.post(path, data).status_code == 403, path
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


# --- users ----------------------------------------------------------------------------------------


def test_an_admin_creates_a_user_who_can_log_in(client: HttpClient, admin_user: User) -> None:
    data = {
        "name": "Olga Agent",
        "email": "Olga@Dreamland.test",
        "role": "agent",
        "preferred_language": "ru",
        "password1": "a-long-enough-secret-1",
        "password2": "a-long-enough-secret-1",
    }
    response = _as(client, admin_user).post("/settings/users/", data)
    assert response.status_code == 302
    olga = User.objects.get(email="olga@dreamland.test")
    assert olga.role == Role.AGENT and olga.preferred_language == "ru"
    assert olga.check_password("a-long-enough-secret-1")
    again = client.post("/settings/users/", data)
    assert again.status_code == 422
    assert "already exists" in again.context["form"].errors["email"][0]


def test_a_user_form_with_bad_input_shows_field_errors(
    client: HttpClient, admin_user: User
) -> None:
    response = _as(client, admin_user).post(
        "/settings/users/",
        {"name": "", "email": "nope", "role": "boss", "password1": "a", "password2": "b"},
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"name", "email", "role", "password2"}
    assert User.objects.count() == 1


def test_an_admin_changes_role_and_active_and_resets_a_password(
    client: HttpClient, admin_user: User, agent: User
) -> None:
    _as(client, admin_user)
    page = f"/settings/users/{agent.pk}/"
    assert client.get(page).status_code == 200
    response = client.post(
        page,
        {
            "name": agent.name,
            "email": agent.email,
            "role": "manager",
            "preferred_language": "en",
            "preferred_currency": "USD",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.role == Role.MANAGER and not agent.is_active
    assert agent.preferred_currency == "USD"
    response = client.post(
        f"{page}password/", {"password1": "brand-new-secret-9", "password2": "brand-new-secret-9"}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("brand-new-secret-9") and not agent.check_password(PASSWORD)
    weak = client.post(f"{page}password/", {"password1": "123", "password2": "123"})
    assert weak.status_code == 422 and weak.context["password_form"].errors["password1"]


def test_an_admin_cannot_demote_or_deactivate_themselves(
    client: HttpClient, admin_user: User
) -> None:
    response = _as(client, admin_user).post(
        f"/settings/users/{admin_user.pk}/",
        {
            "name": "A",
            "email": admin_user.email,
            "role": "agent",
            "preferred_language": "en",
            "preferred_currency": "KZT",
        },
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"role", "is_active"}
    admin_user.refresh_from_db()
    assert admin_user.is_admin


def test_an_unknown_user_is_404(client: HttpClient, admin_user: User) -> None:
    assert _as(client, admin_user).get("/settings/users/999999/").status_code == 404


# --- templates ------------------------------------------------------------------------------------


def test_an_admin_creates_a_template_with_variables(client: HttpClient, admin_user: User) -> None:
    _as(client, admin_user)
    assert client.get("/settings/templates/new/").status_code == 200
    response = client.post(
        "/settings/templates/new/",
        {
            "name": "payment_reminder",
            "language": "ru",
            "category": "UTILITY",
            "content": "Здравствуйте, {{1}}! Остаток за {{2}}: {{3}}.",
            "variables": "customer_name, tour, amount",
            "active": "on",
        },
    )
    assert response.status_code == 302
    template = WhatsAppTemplate.objects.get(name="payment_reminder")
    assert json.loads(template.variables or "[]") == ["customer_name", "tour", "amount"]


def test_a_template_whose_variables_do_not_match_is_refused_beside_the_field(
    client: HttpClient, admin_user: User
) -> None:
    response = _as(client, admin_user).post(
        "/settings/templates/new/",
        {"name": "Bad Name", "language": "en", "category": "UTILITY", "content": "Hi {{1}}"},
    )
    assert response.status_code == 422
    assert "name" in response.context["form"].errors
    response = client.post(
        "/settings/templates/new/",
        {
            "name": "hello",
            "language": "en",
            "category": "UTILITY",
            "content": "Hi {{1}} {{2}}",
            "variables": "name",
        },
    )
    assert response.status_code == 422
    assert "variables" in response.context["form"].errors
    assert not WhatsAppTemplate.objects.exists()


def test_an_admin_edits_a_template_and_a_manager_reads_it(
    client: HttpClient, admin_user: User, manager: User
) -> None:
    template = template_create(
        name="welcome", content="Hi {{1}}", variables=["name"], language="en"
    )
    page = f"/settings/templates/{template.pk}/"
    html = _as(client, manager).get(page).content.decode()
    assert "Hi [name]" in html and "disabled" in html
    _as(client, admin_user)
    response = client.post(
        page,
        {
            "name": "welcome",
            "language": "en",
            "category": "MARKETING",
            "content": "Hello {{1}}, see {{2}}",
            "variables": "name, tour",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.content == "Hello {{1}}, see {{2}}" and template.category == "MARKETING"
    assert not template.active


def test_the_preview_fills_placeholders_with_variable_names(
    client: HttpClient, manager: User, agent: User
) -> None:
    data = {"content": "Hi {{1}}, your <b>{{2}}</b> trip", "variables": "name"}
    response = _as(client, manager).post("/settings/templates/preview/", data)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="template-preview"' in html
    assert "Hi [name], your &lt;b&gt;[2]&lt;/b&gt; trip" in html
    assert "<html" not in html  # only the fragment
    assert _as(client, agent).post("/settings/templates/preview/", data).status_code == 403


# --- exchange rates -------------------------------------------------------------------------------


def test_an_admin_adds_a_rate_and_uploads_the_national_banks_file(
    client: HttpClient, admin_user: User
) -> None:
    _as(client, admin_user)
    response = client.post(
        "/settings/rates/",
        {"action": "add", "currency": "USD", "on_date": "2026-11-24", "rate": "510.5"},
    )
    assert response.status_code == 302
    upload = SimpleUploadedFile("rates.xml", NBK.read_bytes(), content_type="text/xml")
    response = client.post("/settings/rates/", {"action": "upload", "file": upload}, follow=True)
    assert "Imported 3 rate(s)" in response.content.decode()
    assert ExchangeRate.objects.filter(source="nbk").count() == 3
    html = client.get("/settings/rates/").content.decode()
    assert "510.5" in html and "National Bank" in html


def test_bad_rates_and_bad_files_write_nothing(client: HttpClient, admin_user: User) -> None:
    _as(client, admin_user)
    response = client.post(
        "/settings/rates/", {"action": "add", "currency": "KZT", "on_date": "x", "rate": "-1"}
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"currency", "on_date", "rate"}
    bad = SimpleUploadedFile("rates.xml", b"<rates><date>25.11.2026</date></rates>")
    response = client.post("/settings/rates/", {"action": "upload", "file": bad})
    assert response.status_code == 422
    assert "no <item> rates" in response.context["upload"].errors["file"][0]
    assert not ExchangeRate.objects.exists()


# --- round-robin ----------------------------------------------------------------------------------


def test_an_admin_turns_round_robin_off_and_on(
    client: HttpClient, admin_user: User, settings: Any
) -> None:
    from dreamland.staff_settings.selectors import round_robin_enabled

    settings.LEAD_ROUND_ROBIN = True
    assert round_robin_enabled()
    _as(client, admin_user)
    assert client.post("/settings/round-robin/", {"enabled": "off"}).status_code == 302
    assert not round_robin_enabled()
    assert "Turn on" in client.get("/settings/").content.decode()
    client.post("/settings/round-robin/", {"enabled": "on"})
    settings.LEAD_ROUND_ROBIN = False
    assert round_robin_enabled()  # the stored choice wins over the environment
    assert client.post("/settings/round-robin/", {"enabled": "maybe"}).status_code == 400


def test_the_stored_switch_decides_who_gets_a_new_lead(
    client: HttpClient, admin_user: User, agent: User, make_client: Any
) -> None:
    from dreamland.leads.services import lead_create

    _as(client, admin_user).post("/settings/round-robin/", {"enabled": "off"})
    assert lead_create(client=make_client()).assigned_agent is None
    client.post("/settings/round-robin/", {"enabled": "on"})
    assert lead_create(client=make_client()).assigned_agent == agent


def test_tour_aliases_link_to_each_tours_form(
    client: HttpClient, manager: User, make_tour: Any
) -> None:
    tour = make_tour(name="Charyn Canyon")
    html = _as(client, manager).get("/settings/tour-aliases/").content.decode()
    assert "Charyn Canyon" in html and f'href="/tours/{tour.pk}/edit/"' in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_users_and_rates_lists_take_the_same_queries_for_few_and_many_rows(
    client: HttpClient, admin_user: User, count: int, django_assert_num_queries: Any
) -> None:
    from datetime import date, timedelta
    from decimal import Decimal

    for n in range(count):
        User.objects.create(email=f"u{n}@dreamland.test", name=f"U {n}", password="!")
        ExchangeRate.objects.create(
            currency="USD", date=date(2026, 1, 1) + timedelta(days=n), rate=Decimal("500")
        )
    _as(client, admin_user)
    with django_assert_num_queries(4):  # session, user, unread total, the users
        client.get("/settings/users/")
    with django_assert_num_queries(5):  # session, user, unread total, count, a page of rates
        client.get("/settings/rates/")
