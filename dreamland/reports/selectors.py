"""The figures of /reports/: one function per report, each a fixed number of grouped queries.

Every report reads aggregates the database computes with GROUP BY over indexed columns inside a
date range; Python only walks the grouped rows (a few per month, status, agent or currency), so
the page costs the same number of queries for 10 leads as for 100,000.

Money: completed payments only. A refund turns a completed payment into `refunded`, so refunded
payments are *excluded* from revenue (never subtracted a second time); the revenue report shows
them beside it for information. Each sum is converted into the viewer's currency at the rate of
its payment date (`dreamland.money.selectors.RateBook`, one query for all the rates), summed per
(currency, payment date) first so the conversion runs over groups, not payment rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, BookingStatus, Payment, PaymentStatus
from dreamland.bookings.selectors import (
    departures_with_seats,
    with_lifetime_values,
    with_seats,
)
from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadSource, LeadStatus
from dreamland.lib.choices import Currency
from dreamland.lib.money import quantize
from dreamland.money.models import ExchangeRate
from dreamland.money.selectors import RATE_LOOKBACK_DAYS, MissingExchangeRate, RateBook
from dreamland.tours.models import TourDeparture

ZERO = Decimal("0.00")
FUNNEL = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.QUALIFIED,
    LeadStatus.QUOTED,
    LeadStatus.WON,
)
# Response-time bands: (upper bound, label); a lead never answered falls in the last band.
BANDS: tuple[tuple[timedelta | None, object], ...] = (
    (timedelta(minutes=5), _("Under 5 minutes")),
    (timedelta(minutes=30), _("5–30 minutes")),
    (timedelta(hours=2), _("30 minutes – 2 hours")),
    (timedelta(hours=24), _("2–24 hours")),
    (None, _("Over 24 hours")),
)
NO_REPLY_BAND = len(BANDS)
LIST_LIMIT = 50
TOP_CLIENTS = 20


@dataclass(frozen=True)
class ReportFilter:
    """What every report is narrowed by: a date range (inclusive), an agent, a currency."""

    start: date
    end: date
    currency: str = Currency.KZT
    agent: User | None = None
    # Grouped rows several reports share (the leads' groups), read once per filter: a filter lives for one request, so nothing here outlasts a write.
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def months(self) -> list[date]:
        """First days of the months the range touches, in order."""
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return out


@dataclass
class Money:
    """A converted sum, and the (currency, date) groups left out for want of a rate."""

    amount: Decimal = ZERO
    missing: set[tuple[str, date]] = field(default_factory=set)


def _ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """`part / whole` as a fraction rounded to 0.0001; None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


# --- scopes: what the date range and the agent filter leave ------------------------------------


def _leads(f: ReportFilter) -> QuerySet[Lead]:
    qs = Lead.objects.filter(created_at__gte=f.start_at, created_at__lt=f.end_before)
    return qs.filter(assigned_agent=f.agent) if f.agent else qs


def _bookings(f: ReportFilter) -> QuerySet[Booking]:
    """Bookings the agent filter leaves: those converted from the agent's leads (no walk-ins)."""
    qs = Booking.objects.all()
    return qs.filter(lead__assigned_agent=f.agent) if f.agent else qs


def _payments(f: ReportFilter) -> QuerySet[Payment]:
    qs = Payment.objects.all()
    return qs.filter(booking__lead__assigned_agent=f.agent) if f.agent else qs


@dataclass(frozen=True)
class LeadGroup:
    """Leads created in the range with one agent, source, status and response band."""

    agent: int | None
    source: str
    status: str
    band: int | None  # an index in BANDS, NO_REPLY_BAND, or None: no inbound message
    n: int

    @property
    def won(self) -> int:
        return self.n if self.status == LeadStatus.WON else 0


def _band_case() -> Case:
    """A lead's response band in SQL, from the times kept on the lead (`leads.first_messages`):
    `first_response_at - first_inbound_at < bound` written as a comparison of the two columns."""
    whens = [
        When(first_inbound_at__isnull=True, then=Value(None)),
        When(first_response_at__isnull=True, then=Value(NO_REPLY_BAND)),
    ]
    for i, (bound, _label) in enumerate(BANDS):
        if bound is not None:
            whens.append(When(first_response_at__lt=F("first_inbound_at") + bound, then=Value(i)))
    return Case(*whens, default=Value(len(BANDS) - 1), output_field=IntegerField())


def _lead_groups(f: ReportFilter) -> list[LeadGroup]:
    """The range's leads counted per (agent, source, status, band): the funnel, the sources and
    the agents' reports all sum these few hundred rows, read once per filter. One agent's leads
    are found by `leads_report_agent_idx` (agent, created_at), everyone's by `leads_created_id_idx`;
    the grouped columns come from the rows themselves."""
    if "leads" not in f.shared:
        f.shared["leads"] = [
            LeadGroup(*row)
            for row in _leads(f)
            .annotate(band=_band_case())
            .values_list("assigned_agent", "source", "status", "band")
            .annotate(n=Count("*"))
            .order_by()
        ]
    return cast(list[LeadGroup], f.shared["leads"])


def _sum_groups(f: ReportFilter, key: Callable[[LeadGroup], Any]) -> dict[Any, tuple[int, int]]:
    """(leads, won) per `key` of the lead groups."""
    out: dict[Any, tuple[int, int]] = {}
    for g in _lead_groups(f):
        n, won = out.get(key(g), (0, 0))
        out[key(g)] = (n + g.n, won + g.won)
    return out


def _paid_in_range(f: ReportFilter, status: str = PaymentStatus.COMPLETED) -> QuerySet[Any]:
    return (
        _payments(f)
        .filter(status=status, payment_date__gte=f.start, payment_date__lte=f.end)
        .annotate(pay_currency=_payment_currency())
    )


def _payment_currency() -> Coalesce:
    """A payment's currency; old rows without one are in their booking's (as `booking_money`)."""
    return Coalesce("currency", "booking__currency", Value(Currency.KZT), output_field=CharField())


def convert_each(rows: Iterable[tuple[Hashable, str, str, date, Decimal]]) -> dict[Hashable, Money]:
    """Sums per key of (key, from currency, to currency, date, amount) groups, each converted at
    its date's rate.

    One query loads every rate the groups need; a group without a rate is left out of its key's
    sum and named in `missing`, so one forgotten rate never blanks a whole report.
    """
    rows = list(rows)
    out: dict[Hashable, Money] = defaultdict(Money)
    if not rows:
        return out
    dates = [d for *_k, d, _a in rows]
    book = RateBook({c for r in rows for c in r[1:3]}, min(dates), max(dates))
    for key, cur, target, on_date, amount in rows:
        try:
            out[key].amount += book.convert(amount, cur, target, on_date)
        except MissingExchangeRate as missing:
            out[key].missing.add((missing.currency, missing.on_date))
    return out


def convert_groups(
    rows: Iterable[tuple[Hashable, str, date, Decimal]], currency: str
) -> dict[Hashable, Money]:
    """`convert_each` of (key, currency, date, amount) groups, all into `currency`."""
    return convert_each((key, cur, currency, d, amount) for key, cur, d, amount in rows)


# --- 1. pipeline funnel ------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    status: str
    label: str
    current: int  # leads at this status now
    reached: int  # leads at this stage or a later one
    conversion: Decimal | None  # reached / reached at the stage before


@dataclass(frozen=True)
class Funnel:
    stages: list[FunnelStage]
    lost: int
    total: int

    @property
    def won_rate(self) -> Decimal | None:
        return _ratio(self.stages[-1].reached, self.total)


def pipeline_funnel(f: ReportFilter) -> Funnel:
    """Leads created in the range by how far they got.

    A lead at `quoted` has passed new, contacted and qualified: "reached" a stage counts the leads
    at it or beyond. A lost lead counts only towards the first stage (its status says it left, not
    where), and appears on its own line.
    """
    counts: dict[str, int] = defaultdict(int)
    for g in _lead_groups(f):
        counts[g.status] += g.n
    labels = dict(LeadStatus.choices)
    stages, previous = [], None
    for i, status in enumerate(FUNNEL):
        reached = sum(counts.get(s, 0) for s in FUNNEL[i:])
        if i == 0:
            reached += counts.get(LeadStatus.LOST, 0)
        stages.append(
            FunnelStage(
                status=status,
                label=str(labels[status]),
                current=counts.get(status, 0),
                reached=reached,
                conversion=None if previous is None else _ratio(reached, previous),
            )
        )
        previous = reached
    return Funnel(stages=stages, lost=counts.get(LeadStatus.LOST, 0), total=sum(counts.values()))


# --- 2. sources --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    source: str | None  # None: payments of bookings without a lead (walk-ins)
    label: str
    leads: int
    won: int
    conversion: Decimal | None
    revenue: Decimal


def source_analysis(f: ReportFilter) -> tuple[list[SourceRow], Money]:
    """Per source: leads created in the range, how many were won, and the revenue of the range.

    Revenue is the completed payments dated in the range, by the source of their booking's lead,
    so the sources add up to the revenue report's total (walk-ins on a line of their own).
    """
    leads = _sum_groups(f, lambda g: g.source)
    groups = (
        _paid_in_range(f)
        .values_list("booking__lead__source", "pay_currency", "payment_date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    revenue = convert_groups(groups, f.currency)
    missing: set[tuple[str, date]] = set()
    for money in revenue.values():
        missing |= money.missing
    rows = []
    for source, label in LeadSource.choices:
        n, won = leads.get(source, (0, 0))
        rows.append(
            SourceRow(source, str(label), n, won, _ratio(won, n), quantize(revenue[source].amount))
        )
    if None in revenue:
        rows.append(
            SourceRow(None, str(_("No lead (walk-in)")), 0, 0, None, quantize(revenue[None].amount))
        )
    total = Money(quantize(sum((r.revenue for r in rows), ZERO)), missing)
    return rows, total


# --- 3. customer acquisition -------------------------------------------------------------------


@dataclass(frozen=True)
class AcquisitionMonth:
    month: date
    new_contacts: int  # client records created in the month
    first_time: int  # clients whose first booking was made in the month
    returning: int  # clients who booked in the month and had booked before it


def _month(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def customer_acquisition(f: ReportFilter) -> list[AcquisitionMonth]:
    """New against returning clients per month.

    A client counts as *first-time* in the month of their first (not cancelled) booking and as
    *returning* in every later month they book again. "New contacts" are client records created
    in the month (a WhatsApp message or an import); with an agent filter, those with a lead of
    the agent.
    """
    tz = timezone.get_current_timezone()
    clients = Client.objects.filter(created_at__gte=f.start_at, created_at__lt=f.end_before)
    if f.agent:
        clients = clients.filter(
            Exists(Lead.objects.filter(client=OuterRef("pk"), assigned_agent=f.agent))
        )
    contacts = {
        _month(m): n
        for m, n in clients.annotate(m=TruncMonth("created_at", tzinfo=tz))
        .values_list("m")
        .annotate(n=Count("pk"))
        .order_by()
    }
    # A client is first-time in the month of a booking with no earlier active booking of theirs
    # (an index-only probe of `bookings_client_created_idx` per booking); a client's first
    # month is never after a month they book in, so returning = booking clients - first-time.
    active = Booking.objects.exclude(status=BookingStatus.CANCELLED)
    earlier = active.filter(client=OuterRef("client"), created_at__lt=OuterRef("created_at"))
    booked = {
        _month(m): (first, n - first)
        for m, n, first in _bookings(f)
        .exclude(status=BookingStatus.CANCELLED)
        .filter(created_at__gte=f.start_at, created_at__lt=f.end_before)
        .annotate(m=TruncMonth("created_at", tzinfo=tz), is_first=~Exists(earlier))
        .values_list("m")
        .annotate(
            n=Count("client", distinct=True),
            first=Count("client", distinct=True, filter=Q(is_first=True)),
        )
        .order_by()
    }
    return [AcquisitionMonth(m, contacts.get(m, 0), *booked.get(m, (0, 0))) for m in f.months()]


# --- 4. agent performance ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgentRow:
    agent_id: int | None
    name: str
    leads: int
    won: int
    won_rate: Decimal | None
    answered: int
    median_response: timedelta | None
    average_response: timedelta | None


@dataclass(frozen=True)
class BandRow:
    label: str
    leads: int
    won: int
    won_rate: Decimal | None


def _median(values: list[timedelta]) -> timedelta | None:
    """The middle value, or the mean of the middle two; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class _Median(Aggregate):
    """PostgreSQL's exact median: the middle value, or the mean of the middle two."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


NO_RESPONSES: tuple[int, timedelta | None, timedelta | None] = (0, None, None)


def _response_times(
    f: ReportFilter,
) -> dict[int | None, tuple[int, timedelta | None, timedelta | None]]:
    """Per agent: answered leads, median and mean first response, over the range's leads with
    both times. PostgreSQL aggregates them (index-only); another database sends the pairs."""
    answered = _leads(f).filter(first_inbound_at__isnull=False, first_response_at__isnull=False)
    response = ExpressionWrapper(
        F("first_response_at") - F("first_inbound_at"), output_field=DurationField()
    )
    if connection.vendor == "postgresql":
        return {
            agent: (n, median, average)
            for agent, n, median, average in answered.values_list("assigned_agent")
            .annotate(n=Count("*"), median=_Median(response), average=Avg(response))
            .order_by()
        }
    times: dict[int | None, list[timedelta]] = defaultdict(list)
    for agent, first_in, first_out in answered.values_list(
        "assigned_agent", "first_inbound_at", "first_response_at"
    ):
        times[agent].append(cast(datetime, first_out) - cast(datetime, first_in))
    return {
        agent: (len(values), _median(values), sum(values, timedelta()) / len(values))
        for agent, values in times.items()
    }


def agent_performance(f: ReportFilter) -> tuple[list[AgentRow], list[BandRow]]:
    """Leads handled and won per agent, first-response times, and won rate by response band.

    First response of a lead: from its first inbound message to the first outbound message after
    it. The median and mean are over the agent's answered leads; a lead with no inbound message
    (created by hand, imported) has no response time and sits in no band. Both times are kept
    on the lead (`dreamland.leads.first_messages`): the database bands and counts the leads in
    the shared lead groups and takes the medians in one more grouped query.
    """
    handled = _sum_groups(f, lambda g: g.agent)
    bands: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for g in _lead_groups(f):
        if g.band is not None:
            bands[g.band][0] += g.n
            bands[g.band][1] += g.won
    responses = _response_times(f)
    names = dict(User.objects.filter(pk__in=[a for a in handled if a]).values_list("pk", "name"))
    rows = [
        AgentRow(
            agent_id=agent,
            name=names.get(agent, "") if agent else str(_("Unassigned")),
            leads=n,
            won=won,
            won_rate=_ratio(won, n),
            answered=responses.get(agent, NO_RESPONSES)[0],
            median_response=responses.get(agent, NO_RESPONSES)[1],
            average_response=responses.get(agent, NO_RESPONSES)[2],
        )
        for agent, (n, won) in handled.items()
    ]
    rows.sort(key=lambda r: (r.agent_id is None, -r.won, -r.leads, r.name))
    labels = [label for _bound, label in BANDS] + [_("No reply")]
    band_rows = [
        BandRow(str(label), bands[i][0], bands[i][1], _ratio(bands[i][1], bands[i][0]))
        for i, label in enumerate(labels)
    ]
    return rows, band_rows


# --- 5. revenue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevenueMonth:
    month: date
    revenue: Decimal
    refunded: Decimal


@dataclass(frozen=True)
class TourRevenue:
    tour_id: int
    name: str
    revenue: Decimal
    payments: int


@dataclass(frozen=True)
class Revenue:
    months: list[RevenueMonth]
    tours: list[TourRevenue]
    total: Decimal
    refunded: Decimal
    missing: set[tuple[str, date]]


def revenue(f: ReportFilter) -> Revenue:
    """Completed payments dated in the range, by month and by tour, in the viewer's currency.

    Refunded payments are excluded from revenue and shown in their own column (by the month of
    their payment date).
    """
    groups = list(
        _payments(f)
        .filter(
            status__in=[PaymentStatus.COMPLETED, PaymentStatus.REFUNDED],
            payment_date__gte=f.start,
            payment_date__lte=f.end,
        )
        .annotate(pay_currency=_payment_currency())
        .values_list(
            "status",
            "booking__tour_departure__tour",
            "booking__tour_departure__tour__name",
            "pay_currency",
            "payment_date",
        )
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    converted = convert_groups(
        (
            ((status, tour, day), cur, day, total)
            for status, tour, _n, cur, day, total, _c in groups
        ),
        f.currency,
    )
    by_month: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    by_tour: dict[int, Decimal] = defaultdict(lambda: ZERO)
    tour_payments: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    missing: set[tuple[str, date]] = set()
    for key, money in converted.items():
        status, tour, day = cast(tuple[str, int, date], key)
        by_month[status, day.replace(day=1)] += money.amount
        missing |= money.missing
        if status == PaymentStatus.COMPLETED:
            by_tour[tour] += money.amount
    for status, tour, name, _cur, _day, _total, n in groups:
        names[tour] = name or ""
        if status == PaymentStatus.COMPLETED:
            tour_payments[tour] += n
    months = [
        RevenueMonth(
            m,
            quantize(by_month[PaymentStatus.COMPLETED, m]),
            quantize(by_month[PaymentStatus.REFUNDED, m]),
        )
        for m in f.months()
    ]
    tours = sorted(
        (TourRevenue(t, names[t], quantize(v), tour_payments[t]) for t, v in by_tour.items()),
        key=lambda r: (-r.revenue, r.name),
    )
    return Revenue(
        months=months,
        tours=tours,
        total=quantize(sum((m.revenue for m in months), ZERO)),
        refunded=quantize(sum((m.refunded for m in months), ZERO)),
        missing=missing,
    )


# --- 6. departure occupancy --------------------------------------------------------------------


@dataclass(frozen=True)
class TourOccupancy:
    tour_id: int
    name: str
    departures: int
    seats: int
    capacity: int
    occupancy: Decimal | None


@dataclass(frozen=True)
class Occupancy:
    tours: list[TourOccupancy]
    departures: list[TourDeparture]  # the first LIST_LIMIT in the range, by date
    departure_count: int


def departure_occupancy(f: ReportFilter) -> Occupancy:
    """Seats taken (not cancelled bookings) against capacity, per tour and per departure, for
    departures dated in the range. Tours and seats are everybody's: no agent filter here."""
    departures = TourDeparture.objects.filter(
        departure_date__gte=f.start, departure_date__lte=f.end
    )
    capacity = {
        tour: (name, n, int(cap or 0))
        for tour, name, n, cap in departures.values_list("tour", "tour__name")
        .annotate(
            n=Count("pk"),
            cap=Sum(Coalesce("capacity", "tour__capacity", Value(0))),
        )
        .order_by()
    }
    seats = dict(
        Booking.objects.filter(tour_departure__in=departures)
        .exclude(status=BookingStatus.CANCELLED)
        .values_list("tour_departure__tour")
        .annotate(n=Sum("num_participants"))
        .order_by()
    )
    tours = sorted(
        (
            TourOccupancy(
                tour,
                name or "",
                n,
                int(seats.get(tour) or 0),
                cap,
                _ratio(seats.get(tour) or 0, cap),
            )
            for tour, (name, n, cap) in capacity.items()
        ),
        key=lambda r: (-(r.occupancy or 0), r.name),
    )
    listed = list(
        with_seats(
            list(departures_with_seats(departures).order_by("departure_date", "pk")[:LIST_LIMIT])
        )
    )
    for departure in listed:
        departure.occupancy = _ratio(departure.seats_taken, departure.effective_capacity)  # type: ignore[attr-defined]
    return Occupancy(tours, listed, sum(n for _name, n, _cap in capacity.values()))


# --- 7. top clients ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TopClients:
    clients: Sequence[Client]  # with lifetime_value, trips
    booking_clients: int
    repeat_clients: int

    @property
    def repeat_rate(self) -> Decimal | None:
        return _ratio(self.repeat_clients, self.booking_clients)


def _rate_to_kzt() -> Subquery:
    """KZT per unit of the payment's currency on its date, by `RateBook`'s rule, in SQL."""
    return Subquery(
        ExchangeRate.objects.filter(
            currency=OuterRef("pay_currency"),
            date__lte=OuterRef("payment_date"),
            date__gte=ExpressionWrapper(
                OuterRef("payment_date") - timedelta(days=RATE_LOOKBACK_DAYS),
                output_field=DateField(),
            ),
        )
        .order_by("-date")
        .values("rate")[:1],
        output_field=DecimalField(max_digits=18, decimal_places=6),
    )


def top_clients(f: ReportFilter, limit: int = TOP_CLIENTS) -> TopClients:
    """The clients who paid the most over their whole history (not only the date range), and
    the repeat-trip rate: the share of clients with a booking who have two or more.

    The database ranks clients by their payments' value in tenge at each payment date's rate;
    the shown lifetime value is then computed exactly, in the viewer's currency, by the client
    card's own rule (`bookings.selectors.with_lifetime_values`). With an agent filter: the clients of
    the agent's bookings.
    """
    payments = (
        _payments(f)
        .filter(status=PaymentStatus.COMPLETED)
        .annotate(pay_currency=_payment_currency())
    )
    ranked = list(
        payments.values_list("booking__client")
        .annotate(
            kzt=Sum(
                Case(
                    When(pay_currency=Currency.KZT, then=F("amount")),
                    default=F("amount") * Coalesce(_rate_to_kzt(), Value(Decimal(0))),
                    output_field=DecimalField(max_digits=24, decimal_places=6),
                )
            )
        )
        .order_by("-kzt", "booking__client")
        .values_list("booking__client", flat=True)[:limit]
    )
    trips = Count("bookings", filter=~Q(bookings__status=BookingStatus.CANCELLED))
    found = {c.pk: c for c in Client.objects.filter(pk__in=ranked).annotate(trips=trips)}
    clients = [found[pk] for pk in ranked if pk in found]
    with_lifetime_values(clients, f.currency)
    per_client = (
        _bookings(f)
        .exclude(status=BookingStatus.CANCELLED)
        .values("client")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = per_client.aggregate(
        clients=Count("client"), repeat=Count("client", filter=Q(n__gte=2))
    )
    return TopClients(clients, counts["clients"] or 0, counts["repeat"] or 0)


# --- 8. outstanding balances and overdue payments ----------------------------------------------


@dataclass(frozen=True)
class Outstanding:
    bookings: Sequence[Booking]  # with paid_amount, balance_due; the earliest departures first
    booking_count: int
    total_due: Money  # in the viewer's currency, at today's rates
    overdue: Sequence[Payment]  # pending payments whose date has passed, the oldest first
    overdue_count: int
    overdue_total: Money


def outstanding(f: ReportFilter, today: date | None = None) -> Outstanding:
    """What clients still owe, as of today (the date range does not apply: debts are now).

    Outstanding: bookings not cancelled whose total is more than their completed payments
    (converted to the booking's currency at each payment's date); the sum is converted into the
    viewer's currency at today's rates. Overdue: pending payments whose payment date has passed.
    """
    today = today or timezone.localdate()
    open_bookings = _bookings(f).filter(
        status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED]
    )
    owed = dict(
        open_bookings.annotate(cur=Coalesce("currency", Value(Currency.KZT)))
        .values_list("cur")
        .annotate(total=Sum("total_amount"))
        .order_by()
    )
    paid_groups = list(
        Payment.objects.filter(booking__in=open_bookings, status=PaymentStatus.COMPLETED)
        .annotate(
            pay_currency=_payment_currency(),
            booking_cur=Coalesce("booking__currency", Value(Currency.KZT)),
        )
        .values_list("booking_cur", "pay_currency", "payment_date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    due: dict[str, Decimal] = {cur: Decimal(total or 0) for cur, total in owed.items()}
    total_due = Money()
    dates = [d or today for _c, _p, d, _t in paid_groups] + [today]
    book = RateBook(
        {f.currency, *due, *(p for _c, p, _d, _t in paid_groups)}, min(dates), max(dates)
    )
    for booking_cur, pay_cur, on_date, amount in paid_groups:
        try:
            paid = book.convert(amount, pay_cur, booking_cur, on_date or today)
        except MissingExchangeRate as missing:
            total_due.missing.add((missing.currency, missing.on_date))
            continue
        due[booking_cur] = due.get(booking_cur, ZERO) - paid
    for cur, amount in due.items():
        try:
            total_due.amount += book.convert(amount, cur, f.currency, today)
        except MissingExchangeRate as missing:
            total_due.missing.add((missing.currency, missing.on_date))
    total_due.amount = quantize(max(total_due.amount, ZERO))
    # Confirmed means "not yet covered" (the booking turns paid once it is); a completed booking
    # may still owe: it is listed when its same-currency payments fall short of its total.
    same_currency_paid = Coalesce(
        Sum(
            "payments__amount",
            filter=Q(payments__status=PaymentStatus.COMPLETED)
            & Q(payments__currency=F("currency")),
        ),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    candidates = open_bookings.annotate(paid_same=same_currency_paid).filter(
        Q(status=BookingStatus.CONFIRMED) | Q(total_amount__gt=F("paid_same"))
    )
    # The candidates' keys in one narrow grouped read (the count and the order); only the
    # listed ones are then read whole, with their client and tour.
    keys = list(
        candidates.values_list("pk", flat=True).order_by("tour_departure__departure_date", "pk")
    )
    found = Booking.objects.select_related("client", "tour_departure__tour").in_bulk(
        keys[:LIST_LIMIT]
    )
    listed = [found[pk] for pk in keys[:LIST_LIMIT] if pk in found]
    _set_balances(listed, today)
    overdue_qs = (
        _payments(f)
        .filter(status=PaymentStatus.PENDING, payment_date__lt=today)
        .annotate(pay_currency=_payment_currency())
    )
    overdue_groups = list(
        overdue_qs.values_list("pay_currency", "payment_date")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    overdue_total = convert_groups(
        ((None, cur, d, t) for cur, d, t, _n in overdue_groups), f.currency
    )[None]
    overdue_total.amount = quantize(overdue_total.amount)
    overdue = list(
        overdue_qs.select_related("booking__client", "booking__tour_departure__tour").order_by(
            "payment_date", "pk"
        )[:LIST_LIMIT]
    )
    return Outstanding(
        bookings=[b for b in listed if b.balance_due > 0],  # type: ignore[attr-defined]
        booking_count=len(keys),
        total_due=total_due,
        overdue=overdue,
        overdue_count=sum(n for *_rest, n in overdue_groups),
        overdue_total=overdue_total,
    )


def _set_balances(bookings: Sequence[Booking], today: date) -> None:
    """`paid_amount` and `balance_due` on each booking, by `booking_money`'s rule (completed
    payments converted to the booking's currency at their dates), in two queries for all."""
    currency = {b.pk: b.currency or Currency.KZT for b in bookings}
    groups = (
        Payment.objects.filter(booking__in=bookings, status=PaymentStatus.COMPLETED)
        .annotate(pay_currency=_payment_currency())
        .values_list("booking", "pay_currency", "payment_date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    paid = convert_each((b, cur, currency[b], d or today, t) for b, cur, d, t in groups)
    for b in bookings:
        b.paid_amount = quantize(paid[b.pk].amount) if b.pk in paid else ZERO  # type: ignore[attr-defined]
        b.balance_due = quantize(b.total_amount or 0) - b.paid_amount  # type: ignore[attr-defined]
