"""Enumerations shared by several tables (the ERD's "Enum Values"), and how a message names one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", "English"
    RU = "ru", "Русский"


class Currency(models.TextChoices):
    KZT = "KZT", _("Tenge (KZT)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    RUB = "RUB", _("Rouble (RUB)")


def choice_name(choices: type[models.Choices], value: object) -> str:
    """How a message names a stored value: its label, lowercased, in the active language.

    English labels are the values capitalised ("Quoted"), so English messages read the stored
    value itself ("quoted"); Russian ones read «отправлено предложение». An unknown value is shown
    as stored.
    """
    labels = dict(choices.choices)
    if value not in labels:
        return str(value)
    return str(labels[value]).lower()


def choose_one_of(values: list[str]) -> str:
    """The field error for a value outside an enumeration, listing the allowed ones."""
    return gettext("Choose one of %(choices)s.") % {"choices": ", ".join(values)}
