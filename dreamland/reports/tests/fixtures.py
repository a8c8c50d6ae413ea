"""A small agency's first quarter of 2026, every figure of it computed by hand in the tests.

Leads (created in the range unless said):
  L1 agent A, won, whatsapp     — inbound 10:00, reply 10:03 (3 min)
  L2 agent A, lost, whatsapp    — inbound 12:00, reply 13:00 (60 min)
  L3 agent A, quoted, website   — inbound 09:00, reply next day 10:00 (25 h)
  L4 agent B, won, whatsapp     — outbound 08:00 first, inbound 09:00, reply 09:20 (20 min)
  L5 agent B, new, manual       — no messages
  L6 unassigned, contacted, wa  — inbound, never answered
  L7 agent A, won, 2025-12-20   — outside the range
Bookings: BK1 C1 (L1) on D1 2 seats 100 000 KZT paid; BK2 C4 (L4) on D2 3 seats 1 000 USD
confirmed; BK3 walk-in C9 on D1 cancelled; BK4 C1 again, walk-in, on D2 1 seat 40 000 KZT.
Payments: P1 BK1 100 000 KZT 12 Jan completed; P2 BK2 500 USD 12 Feb completed (rate of 10 Feb,
500); P3 BK2 200 EUR 2 Mar completed (EUR 550, USD 510); P4 BK1 10 000 KZT 1 Feb refunded;
P5 BK4 40 000 KZT 10 Mar pending (overdue on 1 Apr); P6 BK2 100 USD 15 Apr pending.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, Payment
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication
from dreamland.messaging.services import communication_first_times_note
from dreamland.money.models import ExchangeRate
from dreamland.reports.selectors import ReportFilter
from dreamland.tours.models import Tour, TourDeparture

START, END, TODAY = date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1)
_phones = itertools.count(5_000_000)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """Midday UTC is the same calendar day in Almaty (UTC+5): no month edge surprises."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def client(name: str, created: date) -> Client:
    return Client.objects.create(
        name=name, phone=f"+7702{next(_phones):07d}", created_at=at(created)
    )


def lead(c: Client, status: str, source: str, agent: User | None, created: date) -> Lead:
    return Lead.objects.create(
        client=c, status=status, source=source, assigned_agent=agent, created_at=at(created, 6)
    )


def message(ld: Lead, direction: str, when: datetime) -> Communication:
    """A message stored as the inbound and sending paths store one: with the lead's first
    inbound and first response times kept."""
    comm = Communication.objects.create(
        client=ld.client,
        lead=ld,
        communication_type="whatsapp",
        direction=direction,
        created_at=when,
    )
    communication_first_times_note(communication=comm)
    return comm


def booking(
    c: Client,
    ld: Lead | None,
    dep: TourDeparture,
    n: int,
    total: str,
    cur: str,
    status: str,
    created: date,
) -> Booking:
    return Booking.objects.create(
        client=c,
        lead=ld,
        tour_departure=dep,
        num_participants=n,
        total_amount=Decimal(total),
        currency=cur,
        status=status,
        created_at=at(created),
    )


def payment(b: Booking, amount: str, cur: str, day: date, status: str) -> Payment:
    return Payment.objects.create(
        booking=b,
        amount=Decimal(amount),
        currency=cur,
        payment_date=day,
        payment_method="cash",
        status=status,
    )


@dataclass
class Quarter:
    agent: User
    other_agent: User
    leads: dict[str, Lead]
    clients: dict[str, Client]
    bookings: dict[str, Booking]
    tours: dict[str, Tour]
    departures: dict[str, TourDeparture]

    def filter(self, **kw: Any) -> ReportFilter:
        kw = {"start": START, "end": END, "currency": "KZT", **kw}
        return ReportFilter(**kw)


def build_quarter(agent: User, other_agent: User) -> Quarter:
    for rate_day, cur, rate in [
        (date(2026, 1, 12), "USD", "480"),
        (date(2026, 2, 10), "USD", "500"),
        (date(2026, 3, 1), "USD", "510"),
        (date(2026, 3, 2), "EUR", "550"),
        (date(2026, 3, 30), "USD", "520"),
    ]:
        ExchangeRate.objects.create(date=rate_day, currency=cur, rate=Decimal(rate))
    c = {
        "C1": client("Алия Нурланова", date(2026, 1, 10)),
        "C2": client("Бекзат", date(2026, 1, 15)),
        "C3": client('=HYPERLINK("x")', date(2026, 2, 1)),
        "C4": client("John Smith", date(2026, 2, 10)),
        "C5": client("Ерлан", date(2026, 3, 5)),
        "C6": client("Гульнара", date(2026, 3, 20)),
        "C9": client("Walk-in", date(2026, 2, 20)),
    }
    ld = {
        "L1": lead(c["C1"], "won", "whatsapp", agent, date(2026, 1, 10)),
        "L2": lead(c["C2"], "lost", "whatsapp", agent, date(2026, 1, 15)),
        "L3": lead(c["C3"], "quoted", "website", agent, date(2026, 2, 1)),
        "L4": lead(c["C4"], "won", "whatsapp", other_agent, date(2026, 2, 10)),
        "L5": lead(c["C5"], "new", "manual", other_agent, date(2026, 3, 5)),
        "L6": lead(c["C6"], "contacted", "whatsapp", None, date(2026, 3, 20)),
        "L7": lead(c["C1"], "won", "whatsapp", agent, date(2025, 12, 20)),
    }
    day = {k: v.created_at.date() for k, v in ld.items()}
    message(ld["L1"], "inbound", at(day["L1"], 10))
    message(ld["L1"], "outbound", at(day["L1"], 10, 3))
    message(ld["L1"], "inbound", at(day["L1"], 11))
    message(ld["L2"], "inbound", at(day["L2"], 12))
    message(ld["L2"], "outbound", at(day["L2"], 13))
    message(ld["L3"], "inbound", at(day["L3"], 9))
    message(ld["L3"], "outbound", at(day["L3"] + timedelta(days=1), 10))
    message(ld["L4"], "outbound", at(day["L4"], 8))
    message(ld["L4"], "inbound", at(day["L4"], 9))
    message(ld["L4"], "outbound", at(day["L4"], 9, 20))
    message(ld["L6"], "inbound", at(day["L6"], 10))
    message(ld["L7"], "inbound", at(day["L7"], 10))
    tours = {
        "T1": Tour.objects.create(
            name="Чарын", capacity=20, base_price=Decimal("50000"), currency="KZT"
        ),
        "T2": Tour.objects.create(
            name="Kolsai Lakes", capacity=10, base_price=Decimal("40000"), currency="KZT"
        ),
    }
    deps = {
        "D1": TourDeparture.objects.create(tour=tours["T1"], departure_date=date(2026, 2, 15)),
        "D2": TourDeparture.objects.create(
            tour=tours["T2"], departure_date=date(2026, 3, 10), capacity=8
        ),
        "D3": TourDeparture.objects.create(tour=tours["T1"], departure_date=date(2026, 5, 1)),
    }
    bk = {
        "BK1": booking(
            c["C1"], ld["L1"], deps["D1"], 2, "100000", "KZT", "paid", date(2026, 1, 12)
        ),
        "BK2": booking(
            c["C4"], ld["L4"], deps["D2"], 3, "1000", "USD", "confirmed", date(2026, 2, 12)
        ),
        "BK3": booking(
            c["C9"], None, deps["D1"], 1, "50000", "KZT", "cancelled", date(2026, 2, 20)
        ),
        "BK4": booking(
            c["C1"], None, deps["D2"], 1, "40000", "KZT", "confirmed", date(2026, 3, 15)
        ),
    }
    payment(bk["BK1"], "100000", "KZT", date(2026, 1, 12), "completed")
    payment(bk["BK2"], "500", "USD", date(2026, 2, 12), "completed")
    payment(bk["BK2"], "200", "EUR", date(2026, 3, 2), "completed")
    payment(bk["BK1"], "10000", "KZT", date(2026, 2, 1), "refunded")
    payment(bk["BK4"], "40000", "KZT", date(2026, 3, 10), "pending")
    payment(bk["BK2"], "100", "USD", date(2026, 4, 15), "pending")
    return Quarter(agent, other_agent, ld, c, bk, tours, deps)


def add_more_of_the_same(q: Quarter, copies: int) -> None:
    """More rows of every kind the quarter has (for query counts that must not grow)."""
    for i in range(copies):
        created = date(2026, 1 + i % 3, 5 + i % 20)
        cl = client(f"Extra {i}", created)
        ld = lead(
            cl,
            ["won", "lost", "quoted", "new"][i % 4],
            ["whatsapp", "website"][i % 2],
            [q.agent, q.other_agent, None][i % 3],
            created,
        )
        message(ld, "inbound", at(created, 9))
        message(ld, "outbound", at(created, 9 + i % 5))
        bk = booking(
            cl,
            ld,
            q.departures["D1" if i % 2 else "D2"],
            1,
            "1000",
            ["KZT", "USD"][i % 2],
            ["confirmed", "paid", "completed"][i % 3],
            created,
        )
        payment(bk, "100", ["KZT", "USD", "EUR"][i % 3], date(2026, 3, 2), "completed")
        payment(bk, "100", "KZT", date(2026, 3, 1), "pending")
        payment(bk, "50", "KZT", date(2026, 2, 1), "refunded")
