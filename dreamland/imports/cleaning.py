"""One spreadsheet row → the values to write, or the reason it is rejected. No writes.

Values are read as people type them: phones in any spelling (several in one cell: the first is
used, the others kept in the notes), languages and statuses in English or Russian, tours by
name or an unambiguous beginning of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from dreamland.imports.reader import Row, key
from dreamland.leads.models import LeadStatus
from dreamland.lib.choices import Language
from dreamland.lib.phones import normalize_phone

LANGUAGES = {
    **dict.fromkeys(("ru", "rus", "russian", "русский", "рус", "ru_ru"), "ru"),
    **dict.fromkeys(("en", "eng", "english", "английский", "англ", "en_us", "en_gb"), "en"),
}
STATUSES = {
    "новый": "new",
    "новая": "new",
    "в_работе": "contacted",
    "связались": "contacted",
    "контакт": "contacted",
    "квалифицирован": "qualified",
    "квалифицирована": "qualified",
    "предложение": "quoted",
    "кп": "quoted",
    "отправлено_предложение": "quoted",
    "потерян": "lost",
    "потеряна": "lost",
    "отказ": "lost",
    "выигран": "won",
    "успешно": "won",
}
LANGUAGE_CODES = frozenset(Language.values)
STATUS_CODES = frozenset(LeadStatus.values)
NAME_MAX = 255
NOTES_MAX = 10_000


class RowRejected(Exception):
    """The row's reason, in English (the command's output and the rejected-rows file)."""


@dataclass(frozen=True)
class CleanRow:
    number: int
    name: str
    phone: str  # E.164
    email: str | None
    preferred_language: str | None
    notes: str | None
    tour_id: int | None
    status: str


class Tours:
    """The tour names, read once per import: by name (any case) or a beginning that fits one."""

    def __init__(self, names: dict[int, str]) -> None:
        self._by_name = {" ".join(n.split()).casefold(): pk for pk, n in names.items() if n}

    def find(self, value: str) -> int:
        wanted = " ".join(value.split()).casefold()
        if wanted in self._by_name:
            return self._by_name[wanted]
        starting = {pk for name, pk in self._by_name.items() if name.startswith(wanted)}
        if len(wanted) >= 3 and len(starting) == 1:
            return next(iter(starting))
        raise RowRejected(_("tour_interest '%(value)s' is not a known tour") % {"value": value})


def _phones(cell: str) -> tuple[str, list[str]]:
    """The cell's phone in E.164, and any further numbers in it ("+7 701 …, 8 702 …")."""
    if not cell.strip():
        raise RowRejected(_("phone is empty"))
    try:
        return normalize_phone(cell), []
    except ValidationError:
        pass
    found: list[str] = []
    for part in re.split(r"[,;/\n]|\s+(?:или|or)\s+", cell):
        try:
            number = normalize_phone(part)
        except ValidationError:
            continue
        if number not in found:
            found.append(number)
    if not found:
        raise RowRejected(_("phone '%(value)s' is not a valid phone number") % {"value": cell})
    return found[0], found[1:]


def clean_row(row: Row, tours: Tours) -> CleanRow:
    values = row.values
    phone, other_phones = _phones(values["phone"])
    notes = "\n".join(
        [values["notes"]] * bool(values["notes"])
        + [_("Other phone: %(phone)s") % {"phone": n} for n in other_phones]
    )
    email = values["email"].lower() or None
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            raise RowRejected(
                _("email '%(value)s' is not a valid email address") % {"value": values["email"]}
            ) from None
    language = None
    if values["preferred_language"]:
        language = LANGUAGES.get(key(values["preferred_language"]))
        if language not in LANGUAGE_CODES:
            raise RowRejected(
                _("preferred_language '%(value)s' is not one of en, ru")
                % {"value": values["preferred_language"]}
            )
    tour_id = tours.find(values["tour_interest"]) if values["tour_interest"] else None
    status = key(values["status"]) or LeadStatus.NEW
    status = STATUSES.get(status, status)
    if status not in STATUS_CODES:
        raise RowRejected(
            _("status '%(value)s' is not one of %(choices)s")
            % {"value": values["status"], "choices": ", ".join(LeadStatus.values)}
        )
    if status == LeadStatus.WON:
        raise RowRejected(_("status 'won' is reached only by booking; import the lead as quoted"))
    return CleanRow(
        number=row.number,
        name=" ".join(values["name"].split())[:NAME_MAX] or phone,
        phone=phone,
        email=email,
        preferred_language=language,
        notes=(notes[:NOTES_MAX] or None),
        tour_id=tour_id,
        status=status,
    )
