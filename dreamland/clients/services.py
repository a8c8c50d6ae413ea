"""Client writes: the phone number is the identity (SPEC §2 "Phone identity")."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from dreamland.clients.models import Client
from dreamland.lib.bulk import insert_rows
from dreamland.lib.changes import CLIENTS, LEADS, reports_changed
from dreamland.lib.errors import Conflict, reject_unknown_fields
from dreamland.lib.phones import normalize_phone

EDITABLE_FIELDS = ("name", "phone", "email", "preferred_language", "notes")


class PhoneTaken(Conflict):
    """Another client already has this phone; `client` is that client."""

    code = "duplicate_phone"

    def __init__(self, client: Client) -> None:
        super().__init__(
            _("A client with phone %(phone)s already exists (#%(id)s).")
            % {"phone": client.phone, "id": client.pk},
            field="phone",
        )
        self.client = client


def client_find_by_phone(phone: str) -> Client | None:
    """The client with this number in any spelling; None for an unknown or unparseable one."""
    try:
        e164 = normalize_phone(phone)
    except ValidationError:
        return None
    return Client.objects.filter(phone=e164).first()


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    reject_unknown_fields(fields, EDITABLE_FIELDS)
    cleaned = dict(fields)
    if "phone" in cleaned:
        try:
            cleaned["phone"] = normalize_phone(cleaned["phone"])
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
    for key in ("email", "notes", "preferred_language"):
        if key in cleaned and cleaned[key] == "":
            cleaned[key] = None
    if isinstance(cleaned.get("email"), str):
        cleaned["email"] = cleaned["email"].strip().lower() or None
    if isinstance(cleaned.get("name"), str):
        cleaned["name"] = cleaned["name"].strip()
    return cleaned


def client_create(
    *,
    name: str,
    phone: str,
    email: str | None = None,
    preferred_language: str | None = None,
    notes: str | None = None,
) -> Client:
    """Create a client; a known phone in any spelling raises `PhoneTaken` pointing at the client."""
    fields = _clean_fields(
        {
            "name": name,
            "phone": phone,
            "email": email,
            "preferred_language": preferred_language,
            "notes": notes,
        }
    )
    existing = Client.objects.filter(phone=fields["phone"]).first()
    if existing is not None:
        raise PhoneTaken(existing)
    client = Client(**fields)
    client.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            client.save(force_insert=True)
    except IntegrityError:
        # A concurrent request created the same phone between our check and our insert.
        raise PhoneTaken(Client.objects.get(phone=fields["phone"])) from None
    reports_changed(CLIENTS)
    return client


def client_get_or_create_by_e164(
    *, phone_e164: str, name: str = "", **defaults: Any
) -> tuple[Client, bool]:
    """Find-or-create by an already normalised number (WhatsApp, imports); race-safe.

    The new client's details are checked as a form would (an over-long or malformed email is a
    ValidationError naming the field), without a query: the database never sees a bad value.
    """
    defaults = {key: value for key, value in defaults.items() if value not in (None, "")}
    defaults["name"] = _profile_name(name, phone_e164)
    reject_unknown_fields(defaults, EDITABLE_FIELDS)
    errors: dict[str, list[str]] = {}
    for key, value in defaults.items():
        field = cast("models.Field[Any, Any]", Client._meta.get_field(key))
        try:
            defaults[key] = field.clean(value, None)
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    client, created = Client.objects.get_or_create(phone=phone_e164, defaults=defaults)
    if created:
        reports_changed(CLIENTS)
    return client, created


def _profile_name(name: str | None, phone_e164: str) -> str:
    """A new client's name from what the channel gives; the number when it gives none."""
    return (name or "").strip()[:255] or phone_e164


def clients_create_many_by_e164(*, names: dict[str, str]) -> dict[str, int]:
    """New clients for already normalised numbers (number → profile name), in one insert:
    `{phone: id}` of those written. A number that exists meanwhile (created by someone else
    since the caller looked) is skipped, not duplicated: the caller looks it up again."""
    if not names:
        return {}
    now = timezone.now()
    written = insert_rows(
        Client,
        ("name", "phone"),
        [(_profile_name(name, phone), phone) for phone, name in sorted(names.items())],
        constants={"created_at": now, "updated_at": now},
        ignore_conflicts=True,
        returning=("phone", "id"),
    )
    if written:
        reports_changed(CLIENTS)
    return {str(phone): int(pk) for phone, pk in written}


def client_find_or_create(*, phone: str, name: str = "", **defaults: Any) -> tuple[Client, bool]:
    """The client with this phone in any spelling, created when new; garbage raises ValidationError.

    Returns `(client, created)`. An existing client is returned unchanged: the name a form or
    WhatsApp profile gives never overwrites what the agency typed.
    """
    try:
        e164 = normalize_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    cleaned = _clean_fields({k: v for k, v in defaults.items() if v is not None})
    return client_get_or_create_by_e164(phone_e164=e164, name=name, **cleaned)


def client_update(*, client: Client, **fields: Any) -> Client:
    """Change a client's details; a phone that belongs to another client raises `PhoneTaken`."""
    cleaned = _clean_fields(fields)
    if "phone" in cleaned and cleaned["phone"] != client.phone:
        other = Client.objects.filter(phone=cleaned["phone"]).exclude(pk=client.pk).first()
        if other is not None:
            raise PhoneTaken(other)
    for key, value in cleaned.items():
        setattr(client, key, value)
    client.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            client.save(update_fields=[*cleaned.keys(), "updated_at"])
    except IntegrityError:
        raise PhoneTaken(Client.objects.get(phone=cleaned["phone"])) from None
    reports_changed(CLIENTS)
    return client


def client_delete(*, client: Client) -> None:
    """Delete a client who never booked; `Conflict` (code `has_bookings`) otherwise.

    Bookings protect their client (`on_delete=PROTECT`), so the ORM refuses before anything is
    deleted; the client's leads and messages go with it.
    """
    try:
        with transaction.atomic():
            client.delete()
    except (ProtectedError, IntegrityError):
        raise _has_bookings(client) from None
    reports_changed(CLIENTS, LEADS)  # its leads went with it


def _has_bookings(client: Client) -> Conflict:
    return Conflict(
        _("Client #%(id)s has bookings and cannot be deleted.") % {"id": client.pk},
        code="has_bookings",
    )
