"""Enumerations shared by several tables (the ERD's "Enum Values")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", "English"
    RU = "ru", "Русский"


class Currency(models.TextChoices):
    KZT = "KZT", _("Tenge (KZT)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    RUB = "RUB", _("Rouble (RUB)")
