from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dreamland.lib.phones import normalize_phone, phone_from_wa_id, wa_id_from_phone


@pytest.mark.parametrize(
    "spelling",
    ["8 (701) 123-45-67", "+7 701 123 4567", "87011234567", "77011234567", "+77011234567"],
)
def test_every_kazakh_spelling_is_one_e164_number(spelling: str) -> None:
    assert normalize_phone(spelling) == "+77011234567"


@pytest.mark.parametrize(
    "garbage", ["", "   ", "abc", "12345", "+7 701", "8 (000) 000-00-00", "x" * 500]
)
def test_garbage_is_a_validation_error(garbage: str) -> None:
    with pytest.raises(ValidationError):
        normalize_phone(garbage)


@pytest.mark.parametrize("value", [None, 3.5, ["+77011234567"], {"phone": 1}])
def test_non_strings_are_a_validation_error(value: object) -> None:
    with pytest.raises(ValidationError):
        normalize_phone(value)


def test_whatsapp_ids_become_e164_even_outside_kazakhstan() -> None:
    assert phone_from_wa_id("77011234567") == "+77011234567"
    # pywa's anonymised Israeli number is not valid by the numbering plan but Meta sent it.
    assert phone_from_wa_id("972987654321") == "+972987654321"


def test_whatsapp_id_without_digits_is_refused() -> None:
    with pytest.raises(ValidationError):
        phone_from_wa_id("US.13491208655302741918x")


def test_send_target_is_digits_only() -> None:
    assert wa_id_from_phone("+77011234567") == "77011234567"
