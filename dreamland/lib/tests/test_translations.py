"""The Russian catalog is complete, compiled and in step with the code (SPEC §5).

`make messages` refreshes `locale/ru/LC_MESSAGES/django.po` and compiles the committed `.mo`;
these tests fail when an entry is left untranslated or fuzzy, when the `.mo` is older than the
`.po`, or when the code marks a string the catalog does not have. None of them needs gettext.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy

from dreamland.accounts.models import Role
from dreamland.bookings.models import BookingStatus, PaymentMethod, PaymentStatus
from dreamland.bookings.services import NoSeatsLeft, _check_seats
from dreamland.leads.models import LeadSource, LeadStatus
from dreamland.lib.choices import Currency, choice_name
from dreamland.lib.errors import RuleViolation
from dreamland.messaging.models import (
    CommunicationType,
    Direction,
    TemplateCategory,
    WhatsAppStatus,
)
from dreamland.tours.models import Tour, TourDeparture
from dreamland.whatsapp.models import EventStatus

LOCALE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"
CODE = Path(settings.BASE_DIR) / "dreamland"
# The gettext functions the code uses, as babel's extractor spells them (makemessages' list).
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\{\d+\}\}")
CYRILLIC = re.compile("[\u0430-\u044f\u0451]", re.IGNORECASE)  # Russian letters
ERD_TABLES = {
    "users",
    "clients",
    "leads",
    "tours",
    "tour_departures",
    "bookings",
    "payments",
    "communications",
    "whatsapp_templates",
}
# Choice labels that are names, the same in every language.
BRANDS = {"WhatsApp", "SMS", "Kaspi"}


def _po() -> Catalog:
    with (LOCALE / "django.po").open("rb") as po:
        return read_po(po)


def _entries(catalog: Catalog) -> dict[tuple[str | None, Any], Any]:
    """`{(context, msgid): translation}`; plural ids and translations as tuples (babel's `read_mo`
    gives lists, and contexts as bytes)."""

    def plain(value: Any) -> Any:
        if isinstance(value, bytes):
            return value.decode("utf-8")
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(plain(m.context), plain(m.id)): plain(m.string) for m in catalog if m.id}


def _forms(string: Any) -> list[str]:
    """The forms of a translation (or an id): one, or one per plural form."""
    return list(string) if isinstance(string, list | tuple) else [string]


def _is_russian(text: object) -> bool:
    return bool(CYRILLIC.search(str(text)))


def test_every_entry_of_the_catalog_is_translated_and_none_is_fuzzy() -> None:
    catalog = _po()
    assert catalog.locale is not None and str(catalog.locale) == "ru"
    assert catalog.num_plurals == 4  # as Django's own Russian catalogs count them
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not all(_forms(m.string)) or not _is_russian(m.string))
    ]
    assert untranslated == []
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals, "the seats-left message has a singular and a plural"
    assert all(len(_forms(m.string)) == catalog.num_plurals for m in plurals)


def test_every_translation_keeps_the_placeholders_of_the_english() -> None:
    lost = [
        (m.id, form)
        for m in _po()
        if m.id
        for form in _forms(m.string)
        if sorted(PLACEHOLDER.findall(form)) != sorted(PLACEHOLDER.findall(_forms(m.id)[0]))
    ]
    assert lost == []


def test_the_committed_mo_is_compiled_from_the_current_po() -> None:
    with (LOCALE / "django.mo").open("rb") as mo:
        compiled = read_mo(mo)
    assert _entries(compiled) == _entries(_po()), "run `make messages`"
    assert compiled.plural_forms == _po().plural_forms


def test_every_string_the_code_marks_is_in_the_catalog() -> None:
    marked: set[tuple[str | None, Any]] = set()
    for path in sorted(CODE.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(CODE).parts):
            continue
        for _lineno, message, _comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            marked.add((context, message))
    assert len(marked) > 200
    assert sorted(marked - set(_entries(_po())), key=str) == [], "run `make messages`"


@pytest.mark.parametrize(
    "choices",
    [
        Role,
        Currency,
        LeadStatus,
        LeadSource,
        BookingStatus,
        PaymentStatus,
        PaymentMethod,
        CommunicationType,
        Direction,
        WhatsAppStatus,
        TemplateCategory,
        EventStatus,
    ],
)
def test_every_choice_label_reads_russian(choices: type[models.Choices]) -> None:
    with translation.override("ru"):
        labels = {value: str(label) for value, label in choices.choices}
    english = dict(choices.choices)
    for value, label in labels.items():
        if english[value] in BRANDS:
            assert label == english[value]
        else:
            assert _is_russian(label), (choices.__name__, value, label)


def test_every_model_and_field_name_reads_russian() -> None:
    ours = [m for m in apps.get_models() if m.__module__.startswith("dreamland.")]
    assert {m._meta.db_table for m in ours} >= ERD_TABLES
    not_russian = []
    with translation.override("ru"):
        for model in ours:
            opts = model._meta
            names = [opts.verbose_name, opts.verbose_name_plural, opts.app_config.verbose_name]
            names += [
                field.verbose_name
                for field in opts.get_fields()
                if isinstance(field, models.Field) and not field.auto_created
            ]
            not_russian += [(opts.label, str(name)) for name in names if not _is_russian(name)]
    # Brand names stay as they are.
    assert {name for _, name in not_russian} <= {"REST API", "WhatsApp"}


@pytest.mark.django_db
def test_the_no_seats_left_message_reads_russian() -> None:
    tour = Tour.objects.create(name="Чарын", capacity=4)
    departure = TourDeparture.objects.create(tour=tour, departure_date=date(2026, 12, 5))
    with translation.override("ru"), pytest.raises(NoSeatsLeft) as no_seats:
        _check_seats(departure, 5)
    russian = "Осталось только 4 места (Чарын, 2026-12-05), а запрошено 5."
    assert no_seats.value.message == russian
    with pytest.raises(NoSeatsLeft) as in_english:
        _check_seats(departure, 5)
    assert in_english.value.message == "Only 4 seats left on Чарын, 2026-12-05; 5 requested."


def test_a_status_in_a_message_reads_as_its_label() -> None:
    with translation.override("ru"):
        assert choice_name(LeadStatus, "quoted") == "отправлено предложение"
        assert choice_name(PaymentStatus, "completed") == "проведён"
        assert choice_name(BookingStatus, "completed") == "завершено"
    assert choice_name(LeadStatus, "nonsense") == "nonsense"


@pytest.mark.parametrize("choices", [LeadStatus, BookingStatus, PaymentStatus, EventStatus])
def test_in_english_a_status_in_a_message_is_its_stored_value(
    choices: type[models.TextChoices],
) -> None:
    """So English messages read exactly as they did before they were translatable."""
    assert [choice_name(choices, value) for value in choices.values] == choices.values


def test_a_domain_error_is_translated_when_raised_and_is_plain_text() -> None:
    message = gettext_lazy("A lead becomes won only by converting it to a booking.")
    with translation.override("ru"):
        error = RuleViolation(message)
    assert type(error.message) is str and type(str(error)) is str
    assert str(error) == error.message == error.args[0]
    assert error.message == "Лид становится успешным только при оформлении по нему бронирования."
    assert str(RuleViolation(message)) == "A lead becomes won only by converting it to a booking."
