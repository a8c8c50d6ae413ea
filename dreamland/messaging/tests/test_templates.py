"""Template CRUD validation, rendering and the choice of translation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dreamland.lib.errors import Conflict, RuleViolation
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.messaging.services import (
    template_create,
    template_delete,
    template_for_client,
    template_render,
    template_update,
)

pytestmark = pytest.mark.django_db


def _booking(**kwargs: Any) -> WhatsAppTemplate:
    fields: dict[str, Any] = {
        "name": "booking_confirmation",
        "content": "Здравствуйте, {{1}}! Ваш тур {{2}} подтверждён.",
        "variables": ["customer_name", "tour"],
        "category": "utility",
    }
    fields.update(kwargs)
    return template_create(**fields)


def test_create_stores_the_category_upper_case_and_variables_as_json() -> None:
    template = _booking()
    template.refresh_from_db()
    assert template.category == "UTILITY"
    assert json.loads(template.variables or "") == ["customer_name", "tour"]
    assert template.language == "ru"


@pytest.mark.parametrize("name", ["Booking", "booking-confirmation", "бронь", "", "a b"])
def test_a_name_outside_lowercase_letters_digits_underscore_is_refused(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        _booking(name=name)
    assert "name" in error.value.message_dict


def test_an_unknown_category_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        _booking(category="PROMO")
    assert "category" in error.value.message_dict


@pytest.mark.parametrize(
    ("content", "variables"),
    [
        ("Hello {{1}} {{2}}", ["one"]),
        ("Hello {{1}}", ["one", "two"]),
        ("Hello {{2}}", ["one"]),
    ],
)
def test_placeholders_must_match_the_variables(content: str, variables: list[str]) -> None:
    with pytest.raises(ValidationError):
        _booking(content=content, variables=variables)
    assert WhatsAppTemplate.objects.count() == 0


def test_the_same_name_and_language_twice_is_a_conflict() -> None:
    _booking()
    with pytest.raises(Conflict) as exc:
        _booking()
    assert (exc.value.code, exc.value.field) == ("template_taken", "name")
    assert WhatsAppTemplate.objects.count() == 1
    assert _booking(language="en").language == "en"


def test_update_checks_the_placeholders_again() -> None:
    template = _booking()
    with pytest.raises(ValidationError) as exc:
        template_update(template=template, content="Only {{1}}")
    assert "variables" in exc.value.message_dict
    template.refresh_from_db()
    assert template.content != "Only {{1}}"
    template_update(
        template=template, content="Only {{1}}", variables=["customer_name"], category="marketing"
    )
    template.refresh_from_db()
    assert (template.content, template.category) == ("Only {{1}}", "MARKETING")


def test_delete_removes_the_template() -> None:
    template_delete(template=_booking())
    assert WhatsAppTemplate.objects.count() == 0


def test_render_by_name_or_position() -> None:
    template = _booking()
    assert template_render(template, {"customer_name": "Айгерим", "tour": "Чарын"}) == (
        "Здравствуйте, Айгерим! Ваш тур Чарын подтверждён."
    )
    assert template_render(template, ["A", "B"]) == "Здравствуйте, A! Ваш тур B подтверждён."


@pytest.mark.parametrize(
    "values", [{"customer_name": "A"}, ["A"], {"customer_name": "A", "tour": ""}]
)
def test_render_refuses_a_missing_value(values: Any) -> None:
    with pytest.raises(ValidationError, match="tour"):
        template_render(_booking(), values)


def test_the_translation_follows_the_client_then_russian_then_any(make_client: Any) -> None:
    _booking(language="en", content="Hi {{1}}, {{2}} confirmed.")
    ru = _booking(language="ru")
    english = make_client(preferred_language="en")
    unknown = make_client(preferred_language=None)
    assert template_for_client(name="booking_confirmation", client=english).language == "en"
    assert template_for_client(name="booking_confirmation", client=unknown) == ru
    template_update(template=ru, active=False)
    assert template_for_client(name="booking_confirmation", client=unknown).language == "en"
    with pytest.raises(RuleViolation) as exc:
        template_for_client(name="missing", client=unknown)
    assert exc.value.code == "template_missing"
