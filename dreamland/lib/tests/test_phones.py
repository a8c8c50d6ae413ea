from __future__ import annotations

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings
from hypothesis import strategies as st

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


# --- The fast path for common Kazakh spellings gives exactly what the library gives --------------


def _library(text: str) -> str | tuple[str, str]:
    """The oracle: `phonenumbers` alone, as `normalize_phone` used before its fast path."""
    text = text.strip()
    try:
        number = phonenumbers.parse(text, "KZ")
    except phonenumbers.NumberParseException:
        return ("invalid_phone", "“%(value)s” is not a phone number.")
    if not phonenumbers.is_valid_number(number):
        return ("invalid_phone", "“%(value)s” is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ours(text: str) -> str | tuple[str, str]:
    try:
        return normalize_phone(text)
    except ValidationError as exc:
        return (str(exc.code), str(exc.message))


_separator = st.sampled_from(["", "", " ", "-"])


@st.composite
def kazakh_spellings(draw: st.DrawFn) -> str:
    """A ten-digit number (any digits: valid or not, Kazakh or Russian) written as people do."""
    national = draw(st.sampled_from("7777789346")) + draw(
        st.text("0123456789", min_size=9, max_size=9)
    )
    prefix = draw(st.sampled_from(["", "+7", "7", "8", "+8", "87", "77", "+77"]))
    area, rest = national[:3], national[3:]
    if draw(st.booleans()):
        area = f"({area})"
    groups = draw(st.sampled_from([(3, 2, 2), (3, 4), (7,), (2, 2, 3), (1, 2, 2, 2)]))
    parts, at = [], 0
    for size in groups:
        parts.append(rest[at : at + size])
        at += size
    text = prefix + draw(_separator) + area
    for part in parts:
        text += draw(_separator) + part
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "]))


@settings(max_examples=3000, deadline=None)
@given(kazakh_spellings())
def test_common_kazakh_spellings_normalise_as_the_library_does(text: str) -> None:
    assert _ours(text) == _library(text)


@settings(max_examples=3000, deadline=None)
@given(st.text("0123456789+-() 78", max_size=20))
def test_any_text_of_phone_characters_normalises_as_the_library_does(text: str) -> None:
    assume(text.strip())  # blank is "Enter a phone number.", before any parsing
    assert _ours(text) == _library(text)


@settings(max_examples=1000, deadline=None)
@given(st.from_regex(r"\A(\+7|8|7)?[ -]?(\(7\d\d\)|7\d\d)([ -]?\d){7}\Z"))
def test_every_spelling_the_fast_path_takes_normalises_as_the_library_does(text: str) -> None:
    assert _ours(text) == _library(text)


@settings(max_examples=1000, deadline=None)
@given(st.from_regex(r"\A7[1-9]\d{9}\Z"))
def test_the_wa_id_fast_path_gives_what_the_library_gives(wa_id: str) -> None:
    number = phonenumbers.parse("+" + wa_id, None)
    expected = (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_possible_number(number)
        else "+" + wa_id
    )
    assert phone_from_wa_id(wa_id) == expected
