"""Exports of clients, leads, bookings and payments: what the user may see, filtered like the
lists (the API's ERD-column filters, same names), one row per record, joined in one query.

Visibility is the API's rule (`dreamland.api.access.visible_*`): an agent exports only their
own and unassigned leads and those leads' clients, bookings and payments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dreamland.accounts.models import User
from dreamland.api.access import (
    visible_bookings,
    visible_clients,
    visible_leads,
    visible_payments,
)
from dreamland.api.filters import filter_phone
from dreamland.bookings.models import BookingStatus, PaymentMethod, PaymentStatus
from dreamland.leads.models import LeadSource, LeadStatus
from dreamland.lib.choices import Currency, Language

CHUNK = 2000


def _choices(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class _Filters(forms.Form):
    """Every field optional; an empty value filters nothing."""

    phone = forms.CharField(required=False, max_length=64)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in self.fields:
            if isinstance(data.get(field), str):
                data[field] = data[field].replace("\x00", "").strip()
        return data


class ClientFilters(_Filters):
    q = forms.CharField(required=False, max_length=255)
    name = forms.CharField(required=False, max_length=255)
    email = forms.CharField(required=False, max_length=254)
    preferred_language = forms.ChoiceField(required=False, choices=_choices(Language.choices))
    created_from = forms.DateField(required=False)
    created_to = forms.DateField(required=False)


class LeadFilters(_Filters):
    status = forms.ChoiceField(required=False, choices=_choices(LeadStatus.choices))
    source = forms.ChoiceField(required=False, choices=_choices(LeadSource.choices))
    assigned_agent_id = forms.IntegerField(required=False, min_value=1)
    tour_interest_id = forms.IntegerField(required=False, min_value=1)
    client_id = forms.IntegerField(required=False, min_value=1)
    created_from = forms.DateField(required=False)
    created_to = forms.DateField(required=False)


class BookingFilters(_Filters):
    status = forms.ChoiceField(required=False, choices=_choices(BookingStatus.choices))
    tour_departure_id = forms.IntegerField(required=False, min_value=1)
    tour_id = forms.IntegerField(required=False, min_value=1)
    client_id = forms.IntegerField(required=False, min_value=1)
    lead_id = forms.IntegerField(required=False, min_value=1)
    currency = forms.ChoiceField(required=False, choices=_choices(Currency.choices))
    departure_from = forms.DateField(required=False)
    departure_to = forms.DateField(required=False)


class PaymentFilters(_Filters):
    status = forms.ChoiceField(required=False, choices=_choices(PaymentStatus.choices))
    payment_method = forms.ChoiceField(required=False, choices=_choices(PaymentMethod.choices))
    currency = forms.ChoiceField(required=False, choices=_choices(Currency.choices))
    booking_id = forms.IntegerField(required=False, min_value=1)
    client_id = forms.IntegerField(required=False, min_value=1)
    payment_date_from = forms.DateField(required=False)
    payment_date_to = forms.DateField(required=False)


def _exact(qs: QuerySet[Any], data: dict[str, Any], lookups: dict[str, str]) -> QuerySet[Any]:
    """Filter by each form field that has a value, through its lookup."""
    wanted = {
        lookup: data[name] for name, lookup in lookups.items() if data.get(name) not in (None, "")
    }
    return qs.filter(**wanted)


def _created(qs: QuerySet[Any], data: dict[str, Any], prefix: str = "created") -> QuerySet[Any]:
    if data.get(f"{prefix}_from"):
        qs = qs.filter(created_at__gte=_day_start(data[f"{prefix}_from"]))
    if data.get(f"{prefix}_to"):
        qs = qs.filter(created_at__lt=_day_start(data[f"{prefix}_to"] + timedelta(days=1)))
    return qs


def clients(user: User, data: dict[str, Any]) -> QuerySet[Any]:
    qs = filter_phone(visible_clients(user), data.get("phone") or None)
    qs = _exact(
        qs,
        data,
        {
            "email": "email__iexact",
            "preferred_language": "preferred_language",
            "name": "name__icontains",
        },
    )
    if data.get("q"):
        term = data["q"]
        qs = qs.filter(Q(name__icontains=term) | Q(phone__contains=term) | Q(email__icontains=term))
    return _created(qs, data).order_by("-created_at", "-pk")


def leads(user: User, data: dict[str, Any]) -> QuerySet[Any]:
    qs = filter_phone(visible_leads(user), data.get("phone") or None, "client__phone")
    qs = _exact(
        qs,
        data,
        {n: n for n in ("status", "source", "assigned_agent_id", "tour_interest_id", "client_id")},
    )
    return _created(qs, data).order_by("-created_at", "-pk")


def bookings(user: User, data: dict[str, Any]) -> QuerySet[Any]:
    qs = filter_phone(visible_bookings(user), data.get("phone") or None, "client__phone")
    qs = _exact(
        qs,
        data,
        {
            **{n: n for n in ("status", "tour_departure_id", "client_id", "lead_id", "currency")},
            "tour_id": "tour_departure__tour_id",
            "departure_from": "tour_departure__departure_date__gte",
            "departure_to": "tour_departure__departure_date__lte",
        },
    )
    return qs.order_by("-created_at", "-pk")


def payments(user: User, data: dict[str, Any]) -> QuerySet[Any]:
    qs = filter_phone(visible_payments(user), data.get("phone") or None, "booking__client__phone")
    qs = _exact(
        qs,
        data,
        {
            **{n: n for n in ("status", "payment_method", "currency", "booking_id")},
            "client_id": "booking__client_id",
            "payment_date_from": "payment_date__gte",
            "payment_date_to": "payment_date__lte",
        },
    )
    return qs.order_by("-payment_date", "-pk")


@dataclass(frozen=True)
class Export:
    form: type[_Filters]
    queryset: Callable[[User, dict[str, Any]], QuerySet[Any]]
    columns: list[tuple[str, Any]]  # (values_list path, header)
    labels: dict[int, dict[str, Any]]  # column index → value → label (enum columns)
    filename: Any


def _labels(choices: Any) -> dict[str, Any]:
    return dict(choices)


EXPORTS: dict[str, Export] = {
    "clients": Export(
        ClientFilters,
        clients,
        [
            ("pk", "ID"),
            ("name", pgettext_lazy("of a person", "Name")),
            ("phone", _("Phone")),
            ("email", _("Email")),
            ("preferred_language", _("Language")),
            ("notes", _("Notes")),
            ("created_at", _("Created")),
        ],
        {},
        _("clients"),
    ),
    "leads": Export(
        LeadFilters,
        leads,
        [
            ("pk", "ID"),
            ("client__name", _("Client")),
            ("client__phone", _("Phone")),
            ("status", _("Status")),
            ("source", _("Source")),
            ("assigned_agent__name", _("Agent")),
            ("tour_interest__name", _("Tour interest")),
            ("unread_messages_count", _("Unread")),
            ("last_message_at", _("Last message")),
            ("created_at", _("Created")),
        ],
        {3: _labels(LeadStatus.choices), 4: _labels(LeadSource.choices)},
        _("leads"),
    ),
    "bookings": Export(
        BookingFilters,
        bookings,
        [
            ("pk", "ID"),
            ("client__name", _("Client")),
            ("client__phone", _("Phone")),
            ("tour_departure__tour__name", _("Tour")),
            ("tour_departure__departure_date", _("Departure")),
            ("num_participants", _("Participants")),
            ("total_amount", _("Total")),
            ("currency", _("Currency")),
            ("status", _("Status")),
            ("lead_id", _("Lead")),
            ("created_at", _("Created")),
        ],
        {8: _labels(BookingStatus.choices)},
        _("bookings"),
    ),
    "payments": Export(
        PaymentFilters,
        payments,
        [
            ("pk", "ID"),
            ("booking_id", _("Booking")),
            ("booking__client__name", _("Client")),
            ("booking__tour_departure__tour__name", _("Tour")),
            ("amount", _("Amount")),
            ("currency", _("Currency")),
            ("payment_date", _("Payment date")),
            ("payment_method", _("Method")),
            ("status", _("Status")),
            ("created_at", _("Created")),
        ],
        {7: _labels(PaymentMethod.choices), 8: _labels(PaymentStatus.choices)},
        _("payments"),
    ),
}


def export_rows(export: Export, qs: QuerySet[Any]) -> Iterator[list[object]]:
    """The rows in chunks (a big export never holds every model instance), enums as labels."""
    paths = [path for path, _label in export.columns]
    for row in qs.values_list(*paths).iterator(chunk_size=CHUNK):
        out = list(row)
        for i, labels in export.labels.items():
            if out[i] is not None:
                out[i] = str(labels.get(out[i], out[i]))
        yield out
