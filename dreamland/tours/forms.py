"""Tour and departure forms for the pages: they parse and label; `tours.services` decides.

The capacity rule (never below the seats booked) lives in the services; a refusal comes back
as a field error through `dreamland.lib.admin.add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dreamland.lib.choices import Currency
from dreamland.tours.models import Tour, TourDeparture
from dreamland.tours.services import DEPARTURE_FIELDS, TOUR_FIELDS


class TourForm(forms.ModelForm[Tour]):
    # Issue 10 item 5, "tour aliases": the inbox branch adds `Tour.aliases`; at merge, add
    # "aliases" to `fields` below (and to TOUR_FIELDS in tours/services.py) and the tour form,
    # which the settings' "Tour aliases" section links to, edits them. Nothing else changes.
    class Meta:
        model = Tour
        fields = list(TOUR_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "base_price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "capacity": forms.NumberInput(attrs={"min": "0"}),
            "duration_days": forms.NumberInput(attrs={"min": "0"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["currency"].required = True
        self.fields["active"] = forms.BooleanField(label=_("active"), required=False)
        if self.instance.pk is None:
            self.initial.setdefault("active", True)

    def _post_clean(self) -> None:
        """No model validation here: the service runs it (and the capacity rule) in its
        transaction, and its errors come back on the fields."""

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in TOUR_FIELDS}


class DepartureForm(forms.ModelForm[TourDeparture]):
    class Meta:
        model = TourDeparture
        fields = list(DEPARTURE_FIELDS)
        widgets = {
            "departure_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "capacity": forms.NumberInput(attrs={"min": "0"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departure_date"].required = True
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [("", _("The tour's currency")), *Currency.choices]
        self.fields["price"].help_text = _("Empty: the tour's base price.")
        self.fields["capacity"].help_text = _("Empty: the tour's capacity.")

    def _post_clean(self) -> None:
        """Validated by the service, like `TourForm`."""

    def clean_currency(self) -> str | None:
        return self.cleaned_data.get("currency") or None

    def changed_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in self.changed_data if name in DEPARTURE_FIELDS
        }
