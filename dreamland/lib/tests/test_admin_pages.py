"""The back office: every admin page renders for an admin; agents are kept out; writes obey the rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, BookingStatus, Payment
from dreamland.bookings.services import booking_create, payment_create
from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadStatus
from dreamland.messaging.models import Communication, WhatsAppTemplate
from dreamland.money.models import ExchangeRate
from dreamland.tours.models import Tour

MODELS = [
    ("accounts", "user"),
    ("clients", "client"),
    ("tours", "tour"),
    ("tours", "tourdeparture"),
    ("leads", "lead"),
    ("bookings", "booking"),
    ("bookings", "payment"),
    ("messaging", "communication"),
    ("messaging", "whatsapptemplate"),
    ("money", "exchangerate"),
]


@pytest.fixture
def rows(admin_user: User, make_client: Any, make_departure: Any) -> dict[str, Any]:
    client = make_client(name="Maria")
    departure = make_departure(capacity=10)
    lead = Lead.objects.create(client=client, tour_interest=departure.tour)
    booking = booking_create(client=client, tour_departure=departure, num_participants=2)
    payment = payment_create(booking=booking, amount=Decimal("1000"), payment_method="cash")
    comm = Communication.objects.create(
        client=client, lead=lead, communication_type="whatsapp", direction="inbound", body="Hi"
    )
    template = WhatsAppTemplate.objects.create(
        name="welcome", content="Hello {{1}}", variables='["customer_name"]'
    )
    rate = ExchangeRate.objects.create(date=date.today(), currency="USD", rate=Decimal("520"))
    return {
        "user": admin_user,
        "client": client,
        "tour": departure.tour,
        "tourdeparture": departure,
        "lead": lead,
        "booking": booking,
        "payment": payment,
        "communication": comm,
        "whatsapptemplate": template,
        "exchangerate": rate,
    }


def _login(http: HttpClient, user: User) -> HttpClient:
    http.force_login(user)
    return http


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_changelist_add_and_change_page_renders_for_an_admin(
    client: HttpClient, rows: dict[str, Any], app: str, model: str
) -> None:
    http = _login(client, rows["user"])
    assert http.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert http.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "x"}).status_code == 200
    change = http.get(reverse(f"admin:{app}_{model}_change", args=[rows[model].pk]))
    assert change.status_code == 200
    add = http.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code == (403 if model == "communication" else 200)


@pytest.mark.django_db
def test_the_site_is_called_dreamland_pro(client: HttpClient, admin_user: User) -> None:
    assert b"Dreamland PRO" in _login(client, admin_user).get(reverse("admin:index")).content


@pytest.mark.django_db
def test_an_agent_gets_no_back_office(client: HttpClient, agent: User, rows: Any) -> None:
    http = _login(client, agent)
    response = http.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert http.get(reverse("admin:clients_client_changelist")).status_code == 302


@pytest.mark.django_db
def test_a_manager_works_clients_but_cannot_see_or_edit_users(
    client: HttpClient, manager: User, rows: dict[str, Any]
) -> None:
    http = _login(client, manager)
    assert http.get(reverse("admin:clients_client_changelist")).status_code == 200
    assert http.get(reverse("admin:accounts_user_changelist")).status_code == 403
    url = reverse("admin:accounts_user_change", args=[rows["user"].pk])
    assert http.post(url, {"email": "x@y.z", "name": "X", "role": "agent"}).status_code == 403
    assert http.get(reverse("admin:money_exchangerate_add")).status_code == 403


@pytest.mark.django_db
def test_the_clients_changelist_costs_the_same_queries_for_5_or_50_clients(
    client: HttpClient, admin_user: User, make_client: Any
) -> None:
    http = _login(client, admin_user)
    url = reverse("admin:clients_client_changelist")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(5):
        Lead.objects.create(client=make_client())
    few = count()
    for _ in range(45):
        Lead.objects.create(client=make_client())
    assert count() == few


@pytest.mark.django_db
def test_an_admin_creates_a_user_with_a_hashed_password_never_shown(
    client: HttpClient, admin_user: User
) -> None:
    http = _login(client, admin_user)
    page = http.get(reverse("admin:accounts_user_add"))
    assert b"password_digest" not in page.content
    response = http.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Agent@Dreamland.kz",
            "name": "New Agent",
            "role": "agent",
            "is_active": "on",
            "preferred_language": "ru",
            "preferred_currency": "KZT",
            "password1": "a-long-enough-password-42",
            "password2": "a-long-enough-password-42",
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(email="new.agent@dreamland.kz")
    assert user.check_password("a-long-enough-password-42")
    assert user.password != "a-long-enough-password-42"
    change = http.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert user.password.encode() not in change.content


@pytest.mark.django_db
def test_the_client_form_normalises_the_phone_and_rejects_garbage(
    client: HttpClient, admin_user: User, rows: dict[str, Any]
) -> None:
    http = _login(client, admin_user)
    url = reverse("admin:clients_client_add")
    inlines = {
        **_empty_inline("leads"),
        **_empty_inline("bookings"),
        **_empty_inline("communications"),
    }
    ok = http.post(url, {"name": "Aibek", "phone": "8 (701) 555-12-34", **inlines})
    assert ok.status_code == 302
    assert Client.objects.filter(phone="+77015551234").exists()
    bad = http.post(url, {"name": "Nobody", "phone": "123", **inlines})
    assert bad.status_code == 200
    assert "not a valid phone number" in bad.content.decode()
    dup = http.post(url, {"name": "Twin", "phone": "+7 701 555 1234", **inlines})
    assert dup.status_code == 200
    assert Client.objects.filter(phone="+77015551234").count() == 1


@pytest.mark.django_db
def test_the_lead_form_refuses_an_illegal_status_change(
    client: HttpClient, admin_user: User, rows: dict[str, Any]
) -> None:
    http = _login(client, admin_user)
    lead = rows["lead"]
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    form = {"status": "won", "source": lead.source, **_empty_inline("communications")}
    response = http.post(url, form)
    assert response.status_code == 200
    assert "converting it to a booking" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW
    form["status"] = "qualified"
    assert http.post(url, form).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def _empty_inline(prefix: str, total: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(total),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.django_db
def test_adding_a_booking_checks_seats_and_prices_it_from_the_departure(
    client: HttpClient, admin_user: User, rows: dict[str, Any]
) -> None:
    http = _login(client, admin_user)
    url = reverse("admin:bookings_booking_add")
    form = {
        "client": rows["client"].pk,
        "tour_departure": rows["tourdeparture"].pk,
        "num_participants": "9",
        **_empty_inline("payments"),
    }
    too_many = http.post(url, form)
    assert too_many.status_code == 200
    assert Booking.objects.count() == 1
    form["num_participants"] = "3"
    assert http.post(url, form).status_code == 302
    booking = Booking.objects.latest("pk")
    assert booking.total_amount == Decimal("135000.00")
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.django_db
def test_a_payment_added_in_the_admin_turns_the_booking_paid(
    client: HttpClient, admin_user: User, rows: dict[str, Any]
) -> None:
    http = _login(client, admin_user)
    booking = rows["booking"]
    response = http.post(
        reverse("admin:bookings_payment_add"),
        {
            "booking": booking.pk,
            "amount": "89000",
            "currency": "KZT",
            "payment_date": (date.today() - timedelta(days=1)).isoformat(),
            "payment_method": "kaspi",
            "status": "completed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID
    assert Payment.objects.filter(booking=booking).count() == 2


@pytest.mark.django_db
def test_booking_a_lead_in_the_admin_converts_it(
    client: HttpClient, admin_user: User, rows: dict[str, Any], make_client: Any
) -> None:
    http = _login(client, admin_user)
    lead = rows["lead"]
    form = {
        "client": make_client().pk,
        "lead": lead.pk,
        "tour_departure": rows["tourdeparture"].pk,
        "num_participants": "1",
        **_empty_inline("payments"),
    }
    other_client = http.post(reverse("admin:bookings_booking_add"), form)
    assert other_client.status_code == 200
    assert "belongs to another client" in other_client.content.decode()
    form["client"] = rows["client"].pk
    assert http.post(reverse("admin:bookings_booking_add"), form).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON
    assert Booking.objects.get(lead=lead).num_participants == 1


@pytest.mark.django_db
def test_a_departure_capacity_cannot_drop_below_the_seats_booked(
    client: HttpClient, admin_user: User, rows: dict[str, Any]
) -> None:
    http = _login(client, admin_user)
    departure = rows["tourdeparture"]
    url = reverse("admin:tours_tourdeparture_change", args=[departure.pk])
    form = {"departure_date": departure.departure_date.isoformat(), "capacity": "1"}
    response = http.post(url, form)
    assert response.status_code == 200
    assert "below the 2 seats" in response.content.decode()
    departure.refresh_from_db()
    assert departure.capacity == 10
    form["capacity"] = "2"
    assert http.post(url, form).status_code == 302
    departure.refresh_from_db()
    assert departure.capacity == 2


@pytest.mark.django_db
def test_a_tour_is_added_with_its_departures_inline(client: HttpClient, admin_user: User) -> None:
    http = _login(client, admin_user)
    day = (date.today() + timedelta(days=40)).isoformat()
    response = http.post(
        reverse("admin:tours_tour_add"),
        {
            "name": "Kaindy Lake",
            "base_price": "30000",
            "currency": "KZT",
            "capacity": "15",
            "duration_days": "1",
            "active": "true",
            **_empty_inline("departures", 0),
            "departures-TOTAL_FORMS": "1",
            "departures-0-departure_date": day,
            "departures-0-capacity": "12",
        },
    )
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line
    ]
    tour = Tour.objects.get(name="Kaindy Lake")
    assert [(str(d.departure_date), d.capacity) for d in tour.departures.all()] == [(day, 12)]


@pytest.mark.django_db
def test_the_clients_search_finds_a_phone_in_any_spelling(
    client: HttpClient, admin_user: User, make_client: Any
) -> None:
    make_client(name="Maria", phone="+77012345670")
    make_client(name="Someone else")
    http = _login(client, admin_user)
    response = http.get(reverse("admin:clients_client_changelist"), {"q": "8 (701) 234-56-70"})
    assert list(response.context["cl"].result_list.values_list("name", flat=True)) == ["Maria"]


@pytest.mark.django_db
def test_the_payment_form_refuses_an_illegal_status_change(
    client: HttpClient, admin_user: User, rows: dict[str, Any]
) -> None:
    http = _login(client, admin_user)
    payment = rows["payment"]
    url = reverse("admin:bookings_payment_change", args=[payment.pk])
    form = {
        "amount": "1000",
        "currency": "KZT",
        "payment_date": str(payment.payment_date),
        "payment_method": "cash",
        "status": "pending",
    }
    response = http.post(url, form)
    assert response.status_code == 200
    assert "cannot become pending" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "completed"
    form["status"] = "refunded"
    assert http.post(url, form).status_code == 302
    payment.refresh_from_db()
    assert payment.status == "refunded"
