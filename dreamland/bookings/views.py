"""Booking pages: the list, a booking with its payments, travellers and history, and the
forms that create and change them (SPEC §5; §4 permissions through `dreamland.web.access`).

Each write is one service call (or a few inside one transaction); a refusal of the rules —
"Only 2 seats left", a missing exchange rate — is shown beside the field it names, and the page
answers 422 with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dreamland.accounts.models import User
from dreamland.api.access import visible_bookings
from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.forms import (
    BookingCreateForm,
    BookingFilterForm,
    MoveForm,
    ParticipantsForm,
    PaymentForm,
    PaymentStatusForm,
    TravellerFormSet,
)
from dreamland.bookings.models import Booking, BookingStatus, Payment, PaymentStatus
from dreamland.bookings.selectors import (
    booking_money,
    bookings_with_payments,
    departures_with_seats,
    page_rates,
    seats_left,
    with_balances,
)
from dreamland.bookings.services import (
    ACTIVE_STATUSES,
    booking_cancel,
    booking_create,
    booking_update,
    payment_create,
    payment_set_status,
)
from dreamland.bookings.travellers import travellers_set, with_document_warnings
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.lib.errors import DomainError
from dreamland.lib.money import format_money
from dreamland.money.selectors import MissingExchangeRate, RateBook
from dreamland.tours.models import TourDeparture
from dreamland.web.access import booking_for, client_for, lead_for, payment_for

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _lang() -> str:
    return "en" if (get_language() or "ru").startswith("en") else "ru"


def add_service_error(form: Form, error: Exception) -> None:
    """Put a service's refusal beside the field it names (else above the form)."""
    if isinstance(error, DomainError):
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:  # pragma: no cover
        raise error


# --- departure pickers --------------------------------------------------------------------------


def _upcoming(first_tour_id: int | None = None) -> QuerySet[TourDeparture]:
    qs = departures_with_seats(
        TourDeparture.objects.filter(departure_date__gte=timezone.localdate())
    )
    if first_tour_id is not None:
        first = Case(When(tour_id=first_tour_id, then=Value(0)), default=Value(1))
        qs = qs.annotate(first=first).order_by("first", "departure_date", "pk")
    else:
        qs = qs.order_by("departure_date", "pk")
    return qs


def _client_currency(client: Client) -> str:
    """The currency the client paid their last booking in (KZT for a new client)."""
    last = (
        Booking.objects.filter(client=client)
        .order_by("-created_at")
        .values_list("currency", flat=True)
        .first()
    )
    return last or "KZT"


def _departure_label(currency: str) -> Callable[[TourDeparture], str]:
    """Option text: tour, date, seats left, price per person (and in the client's currency)."""
    today = timezone.localdate()
    rates = RateBook([currency, "USD", "EUR", "RUB"], today, today) if currency else None
    lang = _lang()

    def label(d: TourDeparture) -> str:
        left = seats_left(d)
        seats = (
            ngettext("%(n)s seat left", "%(n)s seats left", left) % {"n": left}
            if left
            else _("no seats left")
        )
        parts = [
            str(d.tour),
            date_format(d.departure_date, "SHORT_DATE_FORMAT") if d.departure_date else "—",
        ]
        parts.append(seats)
        price = d.effective_price
        if price is not None:
            text = format_money(price, d.effective_currency, lang)
            if rates is not None and currency != d.effective_currency:
                try:
                    local = rates.convert(price, d.effective_currency, currency, today)
                    text += f" (≈ {format_money(local, currency, lang)})"
                except MissingExchangeRate:
                    pass
            parts.append(_("%(price)s per person") % {"price": text})
        return " · ".join(parts)

    return label


# --- list ---------------------------------------------------------------------------------------


@login_required
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    departures = departures_with_seats(
        TourDeparture.objects.filter(departure_date__gte=timezone.localdate() - timedelta(days=90))
    ).order_by("departure_date", "pk")
    form = BookingFilterForm(request.GET or None, departures=departures)
    bookings = visible_bookings(user).select_related("client", "tour_departure__tour")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("departure"):
            bookings = bookings.filter(tour_departure=data["departure"])
        if data.get("status"):
            bookings = bookings.filter(status=data["status"])
        # `paid` is set by the services exactly when completed payments cover the total, so
        # "balance due" is an active booking not yet paid (and not free).
        if data.get("balance") == "due":
            bookings = bookings.filter(status=BookingStatus.CONFIRMED, total_amount__gt=0)
        elif data.get("balance") == "settled":
            bookings = bookings.exclude(status=BookingStatus.CONFIRMED, total_amount__gt=0)
    bookings = bookings.order_by("-created_at", "-pk")
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(bookings_with_payments(bookings.filter(pk__in=[b.pk for b in page.object_list])))
    with_balances(rows)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "bookings/list.html",
        {"form": form, "page": page, "rows": rows, "query": params.urlencode()},
    )


# --- create -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def booking_new(request: HttpRequest) -> HttpResponse:
    """Book a lead (convert: the lead turns won) or a client without one (walk-in)."""
    user = _user(request)
    lead: Lead | None = None
    source = request.POST if request.method == "POST" else request.GET
    if source.get("lead"):
        lead = lead_for(user, source["lead"])
        client = lead.client
    elif source.get("client"):
        client = client_for(user, source["client"])
    else:
        raise Http404
    currency = _client_currency(client)
    form = BookingCreateForm(
        request.POST or None,
        departures=_upcoming(lead.tour_interest_id if lead else None),
        label_for=_departure_label(currency),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if lead is not None:
                    booking = lead_convert(
                        lead=lead,
                        tour_departure=data["tour_departure"],
                        num_participants=data["num_participants"],
                        actor=user,
                    )
                else:
                    booking = booking_create(
                        client=client,
                        tour_departure=data["tour_departure"],
                        num_participants=data["num_participants"],
                        actor=user,
                    )
                if data["traveller_rows"]:
                    travellers_set(booking=booking, travellers=data["traveller_rows"], actor=user)
        except (DomainError, ValidationError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Booking #%(id)s created.") % {"id": booking.pk})
            return redirect("booking_detail", pk=booking.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "bookings/new.html",
        {"form": form, "lead": lead, "client": client, "client_currency": currency},
        status=status,
    )


# --- one booking --------------------------------------------------------------------------------


def _payment_rows(booking: Booking, payments: list[Payment]) -> tuple[list[Payment], RateBook]:
    """Set `converted` and `rate` (1 unit of the payment's currency in the booking's) on each
    payment in another currency; one rates query for the page."""
    rates = page_rates([(booking.currency, payments)])
    currency = booking.currency or "KZT"
    for p in payments:
        p.converted = None  # type: ignore[attr-defined]
        p.rate = None  # type: ignore[attr-defined]
        if p.currency and p.currency != currency and p.payment_date and p.amount:
            try:
                p.converted = rates.convert(p.amount, p.currency, currency, p.payment_date)  # type: ignore[attr-defined]
                p.rate = (  # type: ignore[attr-defined]
                    rates.rate_on(p.currency, p.payment_date)
                    / rates.rate_on(currency, p.payment_date)
                ).quantize(Decimal("0.0001"))
            except MissingExchangeRate:
                pass
    return payments, rates


def _detail(
    request: HttpRequest, booking: Booking, *, status: int = 200, **forms: Any
) -> HttpResponse:
    booking = (
        Booking.objects.select_related("client", "lead", "tour_departure__tour")
        .filter(pk=booking.pk)
        .get()
    )
    payments, rates = _payment_rows(booking, list(booking.payments.order_by("payment_date", "pk")))
    try:
        money = booking_money(booking, payments=payments, rates=rates)
        money_error = None
    except MissingExchangeRate as error:
        money, money_error = None, error.message
    departure = booking.tour_departure
    travellers = list(
        with_document_warnings(list(booking.travellers.all()), departure.departure_date)
    )
    rows = [
        {
            "full_name": t.full_name,
            "birth_date": t.birth_date,
            "document_number": t.document_number,
            "document_expiry": t.document_expiry,
        }
        for t in travellers
    ]
    missing = max((booking.num_participants or 0) - len(rows), 0)
    is_active = booking.status in ACTIVE_STATUSES
    label_for = _departure_label(booking.currency or "KZT")
    context = {
        "booking": booking,
        "departure": departure,
        "seats_left": seats_left(departure),
        "payments": payments,
        "money": money,
        "money_error": money_error,
        "travellers": travellers,
        "missing_travellers": missing,
        "is_active": is_active,
        "participants_form": forms.get("participants_form")
        or ParticipantsForm(initial={"num_participants": booking.num_participants}),
        "move_form": forms.get("move_form")
        or MoveForm(departures=_upcoming(departure.tour_id), label_for=label_for),
        "payment_form": forms.get("payment_form")
        or PaymentForm(currency=booking.currency or "KZT"),
        "traveller_formset": forms.get("traveller_formset")
        or TravellerFormSet(initial=rows + [{}] * missing, prefix="t"),
        "cancel_error": forms.get("cancel_error"),
        "payment_error": forms.get("payment_error"),
    }
    return render(request, "bookings/detail.html", context, status=status)


@login_required
@require_GET
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, booking_for(_user(request), pk))


def _done(request: HttpRequest, booking: Booking, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("booking_detail", args=[booking.pk]))


def _form_write(
    request: HttpRequest,
    booking: Booking,
    form: Form,
    name: str,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A booking page's form: valid and accepted by the service → back to the page with `done`;
    otherwise the page again, 422, the form (`name` in the page's context) with its errors."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except (DomainError, ValidationError) as error:
            add_service_error(form, error)
        else:
            return _done(request, booking, done)
    return _detail(request, booking, status=422, **{name: form})


@login_required
@require_POST
def booking_participants(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    booking = booking_for(user, pk)
    return _form_write(
        request,
        booking,
        ParticipantsForm(request.POST),
        "participants_form",
        lambda data: booking_update(
            booking=booking, num_participants=data["num_participants"], actor=user
        ),
        _("Participants changed."),
    )


@login_required
@require_POST
def booking_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    booking = booking_for(user, pk)
    form = MoveForm(
        request.POST, departures=_upcoming(), label_for=_departure_label(booking.currency or "KZT")
    )
    return _form_write(
        request,
        booking,
        form,
        "move_form",
        lambda data: booking_update(
            booking=booking, tour_departure=data["tour_departure"], actor=user
        ),
        _("The booking moved to another departure."),
    )


@login_required
@require_POST
def booking_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    booking = booking_for(user, pk)
    try:
        booking_cancel(booking=booking, actor=user)
    except DomainError as error:
        return _detail(request, booking, status=422, cancel_error=error.message)
    return _done(request, booking, _("The booking was cancelled; its seats are free again."))


@login_required
@require_POST
def booking_travellers(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    booking = booking_for(user, pk)
    formset = TravellerFormSet(request.POST, prefix="t")
    if formset.is_valid():
        try:
            travellers_set(booking=booking, travellers=[f.row() for f in formset], actor=user)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)  # type: ignore[attr-defined]
        else:
            return _done(request, booking, _("Travellers saved."))
    return _detail(request, booking, status=422, traveller_formset=formset)


@login_required
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    booking = booking_for(user, pk)
    form = PaymentForm(request.POST, currency=booking.currency or "KZT")
    if form.is_valid():
        try:
            payment_create(booking=booking, actor=user, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            add_service_error(form, error)
        else:
            booking.refresh_from_db(fields=["status"])
            text = _("Payment added.")
            if booking.status == BookingStatus.PAID:
                text = _("Payment added. The booking is now fully paid.")
            return _done(request, booking, text)
    return _detail(request, booking, status=422, payment_form=form)


@login_required
@require_POST
def payment_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete, fail or refund an instalment (the services say which change is allowed)."""
    user = _user(request)
    payment = payment_for(user, pk)
    booking = payment.booking
    form = PaymentStatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, booking, status=422, payment_error=_("Choose a payment status."))
    try:
        payment_set_status(payment=payment, status=form.cleaned_data["status"], actor=user)
    except (DomainError, ValidationError) as error:
        message = error.message if isinstance(error, DomainError) else " ".join(error.messages)
        return _detail(request, booking, status=422, payment_error=message)
    booking.refresh_from_db(fields=["status"])
    text = _("Payment #%(id)s is now %(status)s.") % {
        "id": payment.pk,
        "status": dict(PaymentStatus.choices)[form.cleaned_data["status"]],
    }
    if booking.status == BookingStatus.PAID:
        text += " " + _("The booking is fully paid.")
    return _done(request, booking, text)
