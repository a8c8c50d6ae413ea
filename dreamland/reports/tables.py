"""Each report's figures as tables: one definition the page, the CSV and the XLSX all read.

A column has a kind that says how a cell shows (`money`, `pct`, `duration`…); the spreadsheet gets
typed values (a percentage as a number of per cent, a duration in minutes), the page formats them
for the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dreamland.reports import selectors as s

MINUTES = _("min")


@dataclass(frozen=True)
class Column:
    label: object
    kind: str = "text"  # text, int, money, pct, duration, date, month, chip


@dataclass
class Table:
    name: str  # the download's name: /reports/<name>.csv
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    currency: str = "KZT"
    total: list[Any] | None = None  # an optional footer row

    def cells(self) -> list[list[tuple[Any, Column]]]:
        """Rows as (value, column) pairs, for the page's table."""
        return [list(zip(row, self.columns, strict=True)) for row in self.rows]

    def total_cells(self) -> list[tuple[Any, Column]]:
        return list(zip(self.total, self.columns, strict=True)) if self.total else []

    def spreadsheet_rows(self) -> list[list[object]]:
        rows = [*self.rows, *([self.total] if self.total else [])]
        return [[_typed(c.kind, v) for c, v in zip(self.columns, row, strict=True)] for row in rows]

    def spreadsheet_columns(self) -> list[object]:
        out: list[object] = []
        for c in self.columns:
            if c.kind == "money":
                out.append(f"{c.label} ({self.currency})")
            elif c.kind == "pct":
                out.append(f"{c.label}, %")
            elif c.kind == "duration":
                out.append(f"{c.label}, {MINUTES}")
            else:
                out.append(c.label)
        return out


def _typed(kind: str, value: Any) -> object:
    if value is None:
        return None
    if kind == "pct":
        return (Decimal(value) * 100).quantize(Decimal("0.1"))
    if kind == "duration":
        return (Decimal(value.total_seconds()) / 60).quantize(Decimal("0.1"))
    if kind == "chip":
        return str(value[1])
    return value


def funnel(r: s.Funnel) -> Table:
    return Table(
        "funnel",
        [
            Column(_("Stage")),
            Column(_("Leads at this stage now"), "int"),
            Column(_("Reached this stage"), "int"),
            Column(_("Conversion from the previous stage"), "pct"),
        ],
        [[st.label, st.current, st.reached, st.conversion] for st in r.stages]
        + [[str(pgettext_lazy("lead status", "Lost")), r.lost, None, None]],
    )


def sources(r: tuple[list[s.SourceRow], s.Money], currency: str) -> Table:
    rows, total = r
    return Table(
        "sources",
        [
            Column(_("Source")),
            Column(_("Leads"), "int"),
            Column(pgettext_lazy("number of leads", "Won"), "int"),
            Column(_("Conversion"), "pct"),
            Column(_("Revenue"), "money"),
        ],
        [[x.label, x.leads, x.won, x.conversion, x.revenue] for x in rows],
        currency,
        total=[
            str(_("Total")),
            sum(x.leads for x in rows),
            sum(x.won for x in rows),
            s._ratio(sum(x.won for x in rows), sum(x.leads for x in rows)),
            total.amount,
        ],
    )


def acquisition(r: list[s.AcquisitionMonth]) -> Table:
    return Table(
        "acquisition",
        [
            Column(_("Month"), "month"),
            Column(_("New contacts"), "int"),
            Column(_("First-time clients"), "int"),
            Column(_("Returning clients"), "int"),
        ],
        [[m.month, m.new_contacts, m.first_time, m.returning] for m in r],
    )


def agents(r: tuple[list[s.AgentRow], list[s.BandRow]]) -> Table:
    return Table(
        "agents",
        [
            Column(_("Agent")),
            Column(_("Leads"), "int"),
            Column(pgettext_lazy("number of leads", "Won"), "int"),
            Column(_("Won rate"), "pct"),
            Column(_("Answered"), "int"),
            Column(_("Median first response"), "duration"),
            Column(_("Average first response"), "duration"),
        ],
        [
            [
                a.name,
                a.leads,
                a.won,
                a.won_rate,
                a.answered,
                a.median_response,
                a.average_response,
            ]
            for a in r[0]
        ],
    )


def bands(r: tuple[list[s.AgentRow], list[s.BandRow]]) -> Table:
    return Table(
        "response-bands",
        [
            Column(_("First response within")),
            Column(_("Leads"), "int"),
            Column(pgettext_lazy("number of leads", "Won"), "int"),
            Column(_("Won rate"), "pct"),
        ],
        [[b.label, b.leads, b.won, b.won_rate] for b in r[1]],
    )


def revenue_months(r: s.Revenue, currency: str) -> Table:
    return Table(
        "revenue-months",
        [
            Column(_("Month"), "month"),
            Column(_("Revenue"), "money"),
            Column(_("Refunded (not in revenue)"), "money"),
        ],
        [[m.month, m.revenue, m.refunded] for m in r.months],
        currency,
        total=[str(_("Total")), r.total, r.refunded],
    )


def revenue_tours(r: s.Revenue, currency: str) -> Table:
    return Table(
        "revenue-tours",
        [Column(_("Tour")), Column(_("Payments"), "int"), Column(_("Revenue"), "money")],
        [[t.name, t.payments, t.revenue] for t in r.tours],
        currency,
    )


def occupancy_tours(r: s.Occupancy) -> Table:
    return Table(
        "occupancy-tours",
        [
            Column(_("Tour")),
            Column(_("Departures"), "int"),
            Column(_("Seats taken"), "int"),
            Column(_("Capacity"), "int"),
            Column(_("Occupancy"), "pct"),
        ],
        [[t.name, t.departures, t.seats, t.capacity, t.occupancy] for t in r.tours],
    )


def occupancy_departures(r: s.Occupancy) -> Table:
    return Table(
        "occupancy-departures",
        [
            Column(_("Departure"), "date"),
            Column(_("Tour")),
            Column(_("Seats taken"), "int"),
            Column(_("Capacity"), "int"),
            Column(_("Occupancy"), "pct"),
        ],
        [
            [
                d.departure_date,
                d.tour.name,
                d.seats_taken,  # type: ignore[attr-defined]
                d.effective_capacity,
                d.occupancy,  # type: ignore[attr-defined]
            ]
            for d in r.departures
        ],
    )


def top_clients(r: s.TopClients, currency: str) -> Table:
    return Table(
        "top-clients",
        [
            Column(_("Client")),
            Column(_("Phone")),
            Column(_("Trips"), "int"),
            Column(_("Lifetime value"), "money"),
        ],
        [
            [c.name, c.phone, c.trips, c.lifetime_value]  # type: ignore[attr-defined]
            for c in r.clients
        ],
        currency,
    )


def outstanding(r: s.Outstanding) -> Table:
    return Table(
        "outstanding",
        [
            Column(_("Booking")),
            Column(_("Client")),
            Column(_("Tour")),
            Column(_("Departure"), "date"),
            Column(_("Currency")),
            Column(_("Total"), "amount"),
            Column(_("Paid"), "amount"),
            Column(_("Balance due"), "amount"),
        ],
        [
            [
                f"#{b.pk}",
                b.client.name,
                b.tour_departure.tour.name,
                b.tour_departure.departure_date,
                b.currency,
                b.total_amount,
                b.paid_amount,  # type: ignore[attr-defined]
                b.balance_due,  # type: ignore[attr-defined]
            ]
            for b in r.bookings
        ],
    )


def overdue(r: s.Outstanding) -> Table:
    return Table(
        "overdue",
        [
            Column(_("Payment date"), "date"),
            Column(_("Booking")),
            Column(_("Client")),
            Column(_("Tour")),
            Column(_("Currency")),
            Column(_("Amount"), "amount"),
        ],
        [
            [
                p.payment_date,
                f"#{p.booking_id}",
                p.booking.client.name,
                p.booking.tour_departure.tour.name,
                p.pay_currency,  # type: ignore[attr-defined]
                p.amount,
            ]
            for p in r.overdue
        ],
    )


# name → (which selector, how its result becomes the table); the CSV view reads only these.
Builder = Callable[[Any, str], Table]
TABLES: dict[str, tuple[str, Builder]] = {
    "funnel": ("funnel", lambda r, cur: funnel(r)),
    "sources": ("sources", sources),
    "acquisition": ("acquisition", lambda r, cur: acquisition(r)),
    "agents": ("agents", lambda r, cur: agents(r)),
    "response-bands": ("agents", lambda r, cur: bands(r)),
    "revenue-months": ("revenue", revenue_months),
    "revenue-tours": ("revenue", revenue_tours),
    "occupancy-tours": ("occupancy", lambda r, cur: occupancy_tours(r)),
    "occupancy-departures": ("occupancy", lambda r, cur: occupancy_departures(r)),
    "top-clients": ("top_clients", top_clients),
    "outstanding": ("outstanding", lambda r, cur: outstanding(r)),
    "overdue": ("outstanding", lambda r, cur: overdue(r)),
}
REPORTS: dict[str, Callable[[s.ReportFilter], Any]] = {
    "funnel": s.pipeline_funnel,
    "sources": s.source_analysis,
    "acquisition": s.customer_acquisition,
    "agents": s.agent_performance,
    "revenue": s.revenue,
    "occupancy": s.departure_occupancy,
    "top_clients": s.top_clients,
    "outstanding": s.outstanding,
}


def tables_for(report: str, result: Any, currency: str) -> Sequence[Table]:
    return [build(result, currency) for _name, (rep, build) in TABLES.items() if rep == report]
