"""Build the demo agency through the domain services; every row is keyed by a natural key.

Running it again creates nothing: staff by email, tours by name, departures by (tour, date),
rates by (currency, date), templates by (name, language), clients by phone — and a client's
leads, bookings, payments and messages are only written when the client itself is new.
A fixed `random.Random(2026)` makes the agency the same on every machine.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.models import Booking, Payment
from dreamland.bookings.services import (
    NoSeatsLeft,
    booking_cancel,
    bookings_complete_past,
    payment_create,
)
from dreamland.clients.models import Client
from dreamland.demo import data
from dreamland.leads.models import Lead, LeadSource, LeadStatus
from dreamland.leads.services import lead_create, lead_transition
from dreamland.lib.money import quantize
from dreamland.lib.phones import normalize_phone
from dreamland.messaging.models import Communication, WhatsAppTemplate
from dreamland.money.models import ExchangeRate
from dreamland.tours.models import Tour, TourDeparture

SEED = 2026
CLIENTS = 200
HISTORY_DAYS = 760  # rates and past departures reach back this far (Maria's first trip)
FOREIGN = ("USD", "EUR", "RUB")


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.created[name] = self.created.get(name, 0) + count


def demo_rate(currency: str, on: date) -> Decimal:
    """KZT per unit on a date: a smooth wobble around `data.BASE_RATES` (deterministic)."""
    base = data.BASE_RATES[currency]
    wobble = Decimal(str(round(math.sin(on.toordinal() / 45) * 0.04, 6)))
    return (base * (1 + wobble)).quantize(Decimal("0.000001"))


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of `day`, never later than an hour ago (seeded at night, today's
    9:00 is still to come)."""
    at = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 20), rng.randint(0, 59))))
    return min(at, timezone.now() - timedelta(hours=1))


def _not_after_now(when: datetime, minutes_before: int) -> datetime:
    """`when`, or `minutes_before` minutes ago if that is earlier: a demo message is never
    dated in the future (its 24-hour window would read "24 h 44 min")."""
    return min(when, timezone.now() - timedelta(minutes=minutes_before))


# --- reference data -----------------------------------------------------------------------------
def seed_staff(report: SeedReport) -> list[User]:
    users = []
    for email, password, name, role in data.STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, name=name, role=role)
            report.add("users", 1)
        users.append(user)
    return users


def seed_rates(report: SeedReport, today: date) -> None:
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS + 1)]
    existing = set(ExchangeRate.objects.filter(date__gte=days[-1]).values_list("currency", "date"))
    rows = [
        ExchangeRate(date=day, currency=cur, rate=demo_rate(cur, day), source="demo")
        for cur in FOREIGN
        for day in days
        if (cur, day) not in existing
    ]
    ExchangeRate.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    report.add("exchange_rates", len(rows))


def _departure_dates(today: date, per_month: int) -> list[date]:
    future = [today + timedelta(days=5 + round(i * 30 / per_month)) for i in range(per_month * 6)]
    past = [today - timedelta(days=60 * k) for k in range(1, HISTORY_DAYS // 60 + 1)]
    return sorted(set(past + future))


def seed_tours(report: SeedReport, today: date) -> dict[str, Tour]:
    tours: dict[str, Tour] = {}
    for name, description, price, capacity, days, per_month in data.TOURS:
        tour = Tour.objects.filter(name__iexact=name).first()
        if tour is None:
            tour = Tour.objects.create(
                name=name,
                description=description,
                base_price=price,
                currency="KZT",
                capacity=capacity,
                duration_days=days,
                active=True,
                aliases=data.TOUR_ALIASES.get(name, ""),
            )
            report.add("tours", 1)
        tours[name] = tour
        have = set(tour.departures.values_list("departure_date", flat=True))
        new = [
            TourDeparture(tour=tour, departure_date=day)
            for day in _departure_dates(today, per_month)
            if day not in have
        ]
        TourDeparture.objects.bulk_create(new)
        report.add("tour_departures", len(new))
    return tours


def seed_templates(report: SeedReport) -> None:
    import json

    for name, language, category, content, variables in data.TEMPLATES:
        _, created = WhatsAppTemplate.objects.get_or_create(
            name=name,
            language=language,
            defaults={
                "category": category,
                "content": content,
                "variables": json.dumps(variables),
                "active": True,
            },
        )
        report.add("whatsapp_templates", int(created))


# --- clients and their stories ------------------------------------------------------------------
def _people(rng: random.Random) -> list[tuple[str, str, str]]:
    """(name, E.164 phone, language) for the demo clients; Maria first."""
    people = [("Мария Иванова", data.MARIA_PHONE, "ru")]
    phones = {data.MARIA_PHONE}
    while len(people) < CLIENTS:
        female = rng.random() < 0.55
        first = rng.choice(data.FIRST_NAMES_F if female else data.FIRST_NAMES_M)
        last = rng.choice(data.LAST_NAMES)[1 if female else 0]
        phone = normalize_phone(f"+7{rng.choice(data.KZ_PREFIXES)}{rng.randint(0, 9_999_999):07d}")
        if phone in phones:
            continue
        phones.add(phone)
        language = "en" if first.isascii() else rng.choice(["ru", "ru", "ru", None])
        people.append((f"{first} {last}", phone, language or "ru"))
    return people


class _Story:
    """Writes one new client's history; all randomness comes from the shared generator."""

    def __init__(
        self, *, rng: random.Random, today: date, tours: dict[str, Tour], report: SeedReport
    ) -> None:
        self.rng = rng
        self.today = today
        self.tours = tours
        self.report = report
        self.messages: list[Communication] = []
        self.templates = {(t.name, t.language): t for t in WhatsAppTemplate.objects.all()}

    # leads ------------------------------------------------------------------------------------
    def lead(self, client: Client, *, tour: Tour, day: date, source: str, status: str) -> Lead:
        lead = lead_create(client=client, source=source, tour_interest=tour)
        if status not in (LeadStatus.NEW, LeadStatus.WON):
            lead = lead_transition(lead=lead, status=status)
        created = _at(day, self.rng)
        Lead.objects.filter(pk=lead.pk).update(created_at=created, updated_at=created)
        lead.created_at = created
        self.report.add("leads", 1)
        return lead

    def convert(self, lead: Lead, *, tour: Tour, day: date, people: int) -> Booking | None:
        departures = list(
            TourDeparture.objects.filter(
                tour=tour, departure_date__gte=day + timedelta(days=3)
            ).order_by("departure_date")[:3]
        )
        self.rng.shuffle(departures)
        currency = None
        if self.rng.random() < 0.2:
            currency = self.rng.choice(FOREIGN)
        for departure in departures:
            total = None
            if currency is not None:
                kzt = (departure.effective_price or Decimal(0)) * people
                total = quantize(kzt / demo_rate(currency, day)).quantize(Decimal("1"))
            try:
                booking = lead_convert(
                    lead=lead,
                    tour_departure=departure,
                    num_participants=people,
                    total_amount=total,
                    currency=currency,
                )
            except NoSeatsLeft:
                continue
            booked = _at(day + timedelta(days=self.rng.randint(0, 2)), self.rng)
            Booking.objects.filter(pk=booking.pk).update(created_at=booked, updated_at=booked)
            self.report.add("bookings", 1)
            return booking
        return None

    def pay(self, booking: Booking, *, day: date, share: float) -> None:
        """Pay `share` of the total: a deposit (sometimes in another currency), then the rest."""
        departure_day = booking.tour_departure.departure_date
        assert departure_day is not None and booking.total_amount is not None
        last_day = min(self.today, departure_day - timedelta(days=1))
        if share <= 0 or last_day < day:
            return
        method = self.rng.choice(["kaspi", "kaspi", "card", "cash", "bank_transfer"])
        total = booking.total_amount
        booking_currency = booking.currency or "KZT"
        deposit = quantize(total * Decimal("0.3"))
        first_day = day + timedelta(days=self.rng.randint(0, 3))
        first_day = min(first_day, last_day)
        pay_currency = booking_currency
        amount = deposit
        if self.rng.random() < 0.25:  # a deposit paid in another currency than the booking's
            pay_currency = self.rng.choice([c for c in ("KZT", *FOREIGN) if c != booking_currency])
            in_kzt = deposit * self._kzt(booking_currency, first_day)
            amount = quantize(in_kzt / self._kzt(pay_currency, first_day))
        if self.rng.random() < 0.08:
            self._payment(booking, amount, pay_currency, first_day, method, "failed")
        self._payment(booking, amount, pay_currency, first_day, method, "completed")
        if share >= 1:
            second_day = first_day + timedelta(days=max((last_day - first_day).days // 2, 0))
            rest = total - deposit
            if rest > 0:
                self._payment(booking, rest, booking_currency, second_day, method, "completed")
        elif self.rng.random() < 0.5:
            self._payment(booking, total - deposit, booking_currency, last_day, method, "pending")

    def _kzt(self, currency: str, on: date) -> Decimal:
        return Decimal(1) if currency == "KZT" else demo_rate(currency, on)

    def _payment(
        self, booking: Booking, amount: Decimal, currency: str, on: date, method: str, status: str
    ) -> None:
        if amount <= 0:
            return
        payment = payment_create(
            booking=booking,
            amount=amount,
            currency=currency,
            payment_date=on,
            payment_method=method,
            status=status,
        )
        stamp = _at(on, self.rng)
        Payment.objects.filter(pk=payment.pk).update(created_at=stamp, updated_at=stamp)
        self.report.add("payments", 1)

    # messages ---------------------------------------------------------------------------------
    def conversation(self, client: Client, lead: Lead, tour: Tour, *, is_open: bool) -> None:
        rng = self.rng
        english = client.preferred_language == "en"
        inbound = data.INBOUND_EN if english else data.INBOUND_RU
        outbound = data.OUTBOUND_EN if english else data.OUTBOUND_RU
        price = f"{int(tour.base_price or 0):,}".replace(",", " ")
        when = lead.created_at
        count = rng.randint(2, 8)
        digits = client.phone.lstrip("+")
        unread = 0
        for i in range(count):
            direction = "inbound" if i == 0 or rng.random() < 0.5 else "outbound"
            lines = inbound if direction == "inbound" else outbound
            text = rng.choice(lines).format(tour=tour.name, n=rng.randint(2, 5), price=price)
            # the last ones a few minutes apart, the last of all at least 4 minutes ago
            when = _not_after_now(
                when + timedelta(minutes=rng.randint(2, 240)), 2 * (count + 1 - i)
            )
            status = "received"
            extra: dict[str, Any] = {}
            if direction == "outbound":
                status = rng.choice(["read"] * 6 + ["delivered"] * 3 + ["sent"] * 2 + ["failed"])
                if status == "failed":
                    extra = {"error_code": 131047, "error_message": "Re-engagement message"}
                else:
                    extra = {"sent_at": when}
                unread = 0
            else:
                unread += 1
            self.messages.append(
                Communication(
                    client=client,
                    lead=lead,
                    communication_type="whatsapp",
                    direction=direction,
                    body=text,
                    message_type="text",
                    whatsapp_message_id=f"wamid.DEMO{digits}L{lead.pk}M{i}",
                    whatsapp_status=status,
                    created_at=when,
                    updated_at=when,
                    **extra,
                )
            )
        if rng.random() < 0.15:
            when = _not_after_now(when + timedelta(hours=rng.randint(1, 30)), 1)
            self.messages.append(
                Communication(
                    client=client,
                    lead=lead,
                    communication_type=rng.choice(["phone", "email", "sms"]),
                    direction="outbound",
                    subject="Call back" if not english else "Follow-up",
                    body="Перезвонили, обсудили даты." if not english else "Called back.",
                    created_at=when,
                    updated_at=when,
                )
            )
        lead.last_message_at = when
        lead.unread_messages_count = unread if is_open else 0

    def confirmation(self, client: Client, lead: Lead, booking: Booking) -> None:
        language = client.preferred_language or "ru"
        template = self.templates.get(("booking_confirmation", language))
        when = _not_after_now((lead.last_message_at or lead.created_at) + timedelta(minutes=30), 1)
        self.messages.append(
            Communication(
                client=client,
                lead=lead,
                booking=booking,
                communication_type="whatsapp",
                direction="outbound",
                body=f"Booking #{booking.pk} confirmed: {booking.tour_departure}",
                message_type="template",
                template=template,
                whatsapp_message_id=f"wamid.DEMO{client.phone.lstrip('+')}B{booking.pk}",
                whatsapp_status="read",
                sent_at=when,
                created_at=when,
                updated_at=when,
            )
        )
        lead.last_message_at = when


SOURCES = [LeadSource.WHATSAPP] * 11 + [LeadSource.WEBSITE] * 4 + [LeadSource.MANUAL] * 3
SOURCES += [LeadSource.IMPORT] * 2
LAST_STATUSES = (
    [LeadStatus.NEW] * 3
    + [LeadStatus.CONTACTED] * 3
    + [LeadStatus.QUALIFIED] * 2
    + [LeadStatus.QUOTED] * 3
    + [LeadStatus.WON] * 6
    + [LeadStatus.LOST] * 3
)


def _client_story(story: _Story, client: Client, tour_names: list[str]) -> None:
    rng = story.rng
    today = story.today
    n_leads = rng.choices([1, 2, 3], weights=[70, 25, 5])[0]
    # Earlier leads are closed, long ago; the last one is recent and may still be open.
    plans: list[tuple[int, str]] = []
    for _ in range(n_leads - 1):
        plans.append(
            (rng.randint(250, 700), rng.choice([LeadStatus.WON] * 3 + [LeadStatus.LOST] * 2))
        )
    plans.sort(reverse=True)
    last: str = rng.choice(LAST_STATUSES)
    plans.append((rng.randint(1, 45) if last != LeadStatus.WON else rng.randint(3, 200), last))
    for days_ago, status in plans:
        tour = story.tours[rng.choice(tour_names)]
        day = today - timedelta(days=days_ago)
        lead = story.lead(client, tour=tour, day=day, source=rng.choice(SOURCES), status=status)
        story.conversation(client, lead, tour, is_open=lead.is_open)
        if status == LeadStatus.WON:
            booking = story.convert(lead, tour=tour, day=day, people=rng.randint(1, 4))
            if booking is None:
                continue
            story.confirmation(client, lead, booking)
            share = rng.choice([1.0, 1.0, 0.3, 0.0]) if days_ago < 60 else 1.0
            story.pay(booking, day=day, share=share)
            if rng.random() < 0.06:
                booking_cancel(booking=booking)
        Lead.objects.filter(pk=lead.pk).update(
            last_message_at=lead.last_message_at,
            unread_messages_count=lead.unread_messages_count,
        )


def _maria(story: _Story, client: Client) -> None:
    """The ERD's story: Altai two years ago (completed), Charyn Canyon this year."""
    today = story.today
    altai, charyn = story.tours["Altai"], story.tours["Charyn Canyon"]
    trip_day = today - timedelta(days=700)
    TourDeparture.objects.get_or_create(tour=altai, departure_date=trip_day)
    for tour, days_ago, people, share in ((altai, 740, 2, 1.0), (charyn, 10, 1, 0.3)):
        day = today - timedelta(days=days_ago)
        lead = story.lead(client, tour=tour, day=day, source=LeadSource.WHATSAPP, status="won")
        story.conversation(client, lead, tour, is_open=False)
        booking = story.convert(lead, tour=tour, day=day, people=people)
        if booking is not None:
            story.confirmation(client, lead, booking)
            story.pay(booking, day=day, share=share)
        Lead.objects.filter(pk=lead.pk).update(last_message_at=lead.last_message_at)


def seed_clients(report: SeedReport, today: date, tours: dict[str, Tour]) -> None:
    rng = random.Random(SEED)
    people = _people(rng)
    existing = set(
        Client.objects.filter(phone__in=[p for _, p, _ in people]).values_list("phone", flat=True)
    )
    story = _Story(rng=rng, today=today, tours=tours, report=report)
    tour_names = sorted(tours)
    for index, (name, phone, language) in enumerate(people):
        joined = _at(today - timedelta(days=rng.randint(1, 720)), rng)
        if phone in existing:
            continue
        with transaction.atomic():
            client = Client.objects.create(
                name=name,
                phone=phone,
                preferred_language=language,
                email=f"client{index}@example.kz" if rng.random() < 0.4 else None,
            )
            Client.objects.filter(pk=client.pk).update(created_at=joined)
            report.add("clients", 1)
            if index == 0:
                _maria(story, client)
            else:
                _client_story(story, client, tour_names)
    Communication.objects.bulk_create(story.messages, batch_size=500, ignore_conflicts=True)
    report.add("communications", len(story.messages))


def seed_demo(*, today: date | None = None) -> SeedReport:
    """Create whatever of the demo agency is missing; returns what was created."""
    today = today or timezone.localdate()
    report = SeedReport()
    seed_staff(report)
    seed_rates(report, today)
    tours = seed_tours(report, today)
    seed_templates(report)
    seed_clients(report, today, tours)
    report.add("bookings_completed", bookings_complete_past(today=today))
    return report
