"""Phone identity: every phone number is stored in E.164, parsed with `phonenumbers`.

`8 (701) 123-45-67`, `+7 701 123 4567`, `87011234567` and WhatsApp's `77011234567` are one client.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DIGITS = re.compile(r"\D+")
_KAZAKH_SPELLING = re.compile(r"(?:\+7|8|7)?[ -]?(?:\(7\d\d\)|7\d\d)(?:[ -]?\d){7}")
MAX_INPUT_LENGTH = 64


class InvalidPhone(ValidationError):
    """A phone number that cannot be one real number; never becomes a client."""


def normalize_phone(raw: object, *, region: str | None = None) -> str:
    """Return the E.164 form of a number typed by a person (default region KZ).

    Raises `InvalidPhone` for anything that is not a valid number, so garbage never becomes
    a client.
    """
    if raw is None or not isinstance(raw, str | int):
        raise InvalidPhone(_("Enter a phone number."), code="required")
    text = str(raw).strip()
    if not text:
        raise InvalidPhone(_("Enter a phone number."), code="required")
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidPhone(_("This phone number is too long."), code="invalid_phone")
    region = region or settings.DEFAULT_PHONE_REGION
    if region == "KZ" and (national := _kazakh_national_number(text)) is not None:
        # What `phonenumbers.parse` makes of these spellings, without its general parser (two
        # thirds of the cost; an import of 100k rows spent most of its time here): country
        # code 7 and the ten digits after the prefix. Validity is still the library's.
        number = phonenumbers.PhoneNumber(country_code=7, national_number=int(national))
    else:
        number = _parse(text, region)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(
            _("“%(value)s” is not a valid phone number."),
            code="invalid_phone",
            params={"value": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _kazakh_national_number(text: str) -> str | None:
    """The ten national digits of a common Kazakh spelling, or None for any other text.

    `+7 701 123 4567`, `8 (701) 123-45-67`, `87011234567`, WhatsApp's `77011234567`, `701 123 45 67`:
    an optional `+7`, `8` or `7`, then ten digits starting with 7 (Kazakhstan's numbers; `7` is
    also Russia's code, whose numbers start otherwise), spaces or hyphens between digits and
    brackets around the area code. `test_phones` checks against the library that nothing else
    would parse differently.
    """
    if _KAZAKH_SPELLING.fullmatch(text) is None:
        return None
    digits = _DIGITS.sub("", text)
    return digits[-10:]


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber:
    """The library's parse of any spelling (the general path)."""
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(
            _("“%(value)s” is not a phone number."), code="invalid_phone", params={"value": text}
        ) from None


def phone_from_wa_id(wa_id: object) -> str:
    """E.164 form of a WhatsApp `wa_id` (international digits without '+').

    Meta has already verified the number, so it is accepted when it is merely *possible*
    (numbering plans change faster than the library's metadata): a message is never dropped
    because our copy of the plan is old.
    """
    digits = _DIGITS.sub("", str(wa_id or ""))
    if not 6 <= len(digits) <= 15:
        raise InvalidPhone(_("“%(value)s” is not a WhatsApp number."), params={"value": wa_id})
    if len(digits) == 11 and digits[0] == "7" and digits[1] != "0" and digits.isascii():
        # Kazakhstan's and Russia's numbers (country code 7, ten national digits), nearly every
        # sender: what the library's parse and format give, without them (the cost of a batch
        # of messages was a fifth in here). `test_phones` checks against the library.
        return "+" + digits
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return "+" + digits
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "+" + digits


def wa_id_from_phone(phone: str) -> str:
    """The `to` of a Cloud API send: digits only."""
    return _DIGITS.sub("", phone)


def format_phone_international(phone: str) -> str:
    """`+77011234567` → `+7 701 123 4567` for display; unparseable input is shown as stored."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
