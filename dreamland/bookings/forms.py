"""Booking and payment forms: they parse and validate input; the services decide and the
views show a service's refusal ("Only 2 seats left") beside the field it names."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dreamland.bookings.models import BookingStatus, PaymentMethod, PaymentStatus
from dreamland.bookings.travellers import TravellerData
from dreamland.lib.choices import Currency
from dreamland.tours.models import TourDeparture

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PARTICIPANTS = 500


class DepartureField(forms.ModelChoiceField):
    """A departure picker whose options say the seats left and the price (`label` sets them)."""

    def __init__(self, *args: Any, label_for: Callable[[TourDeparture], str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.label_for = label_for

    def label_from_instance(self, obj: Any) -> str:
        return self.label_for(obj)


class DepartureChoiceForm(forms.Form):
    """A form whose `tour_departure` offers the given departures, each labelled by `label_for`
    (seats left, price)."""

    departure_label: Any = _("Departure")

    def __init__(
        self,
        *args: Any,
        departures: QuerySet[TourDeparture],
        label_for: Callable[[TourDeparture], str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tour_departure"] = DepartureField(
            label=self.departure_label,
            queryset=departures,
            label_for=label_for,
            empty_label=_("Choose a departure"),
        )
        self.order_fields(["tour_departure"])


class BookingCreateForm(DepartureChoiceForm):
    num_participants = forms.IntegerField(
        label=_("Participants"), min_value=1, max_value=MAX_PARTICIPANTS, initial=1
    )
    travellers = forms.CharField(
        label=_("Travellers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line; birth dates and documents can be added on the booking."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = [line.strip() for line in (data.get("travellers") or "").splitlines()]
        data["traveller_rows"] = [TravellerData(full_name=n) for n in names if n]
        count = data.get("num_participants")
        if count is not None and len(data["traveller_rows"]) > count:
            self.add_error("travellers", _("Name at most one traveller per participant."))
        return data


class ParticipantsForm(forms.Form):
    num_participants = forms.IntegerField(
        label=_("Participants"), min_value=1, max_value=MAX_PARTICIPANTS
    )


class MoveForm(DepartureChoiceForm):
    departure_label = _("Move to departure")


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    payment_date = forms.DateField(label=_("Date"), widget=DATE)
    payment_method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=PaymentStatus.choices, initial=PaymentStatus.COMPLETED
    )

    def __init__(self, *args: Any, currency: str = Currency.KZT, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "currency": currency,
                "payment_date": timezone.localdate(),
                "status": PaymentStatus.COMPLETED,
                "payment_method": PaymentMethod.CASH,
            },
        )
        super().__init__(*args, **kwargs)


class PaymentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PaymentStatus.choices)


class TravellerForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=255, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_expiry = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        extra = data.get("birth_date") or data.get("document_number") or data.get("document_expiry")
        if extra and not (data.get("full_name") or "").strip():
            self.add_error("full_name", _("Enter the traveller's name."))
        return data

    def row(self) -> TravellerData:
        d = self.cleaned_data
        return TravellerData(
            full_name=d.get("full_name") or "",
            birth_date=d.get("birth_date"),
            document_number=d.get("document_number") or "",
            document_expiry=d.get("document_expiry"),
        )


TravellerFormSet = forms.formset_factory(TravellerForm, extra=0, max_num=MAX_PARTICIPANTS)


class BookingFilterForm(forms.Form):
    BALANCE = [("", _("Any balance")), ("due", _("Balance due")), ("settled", _("Settled"))]

    departure = forms.ModelChoiceField(
        label=_("Departure"),
        required=False,
        queryset=TourDeparture.objects.none(),
        empty_label=_("All departures"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *BookingStatus.choices],
    )
    balance = forms.ChoiceField(label=_("Balance"), required=False, choices=BALANCE)

    def __init__(self, *args: Any, departures: QuerySet[TourDeparture], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departure"].queryset = departures  # type: ignore[attr-defined]
