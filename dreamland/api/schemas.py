"""Typed request and response bodies; field names are the ERD's column names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, create_model

from dreamland.accounts.models import Role
from dreamland.api.pagination import PageOut
from dreamland.bookings.models import BookingStatus, PaymentMethod, PaymentStatus
from dreamland.leads.models import LeadSource, LeadStatus
from dreamland.lib.choices import Currency, Language
from dreamland.messaging.models import CommunicationType, TemplateCategory

# Ids and counts are bounded so no number reaches the database out of its column's range.
MAX_ID = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Strict: `true` or "2" for a head count is a client bug, not a number.
Count = Annotated[int, Field(ge=1, le=100_000, strict=True)]
Capacity = Annotated[int, Field(ge=0, le=100_000)]
Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_no_nul)]
LongText = Annotated[str, Field(max_length=20_000), AfterValidator(_no_nul)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]

CurrencyCode = Literal["KZT", "USD", "EUR", "RUB"]
LanguageCode = Literal["en", "ru"]
assert set(CurrencyCode.__args__) == set(Currency.values)  # type: ignore[attr-defined]
assert set(LanguageCode.__args__) == set(Language.values)  # type: ignore[attr-defined]
LeadStatusCode = Literal["new", "contacted", "qualified", "quoted", "won", "lost"]
LeadSourceCode = Literal["whatsapp", "website", "manual", "import"]
BookingStatusCode = Literal["confirmed", "paid", "completed", "cancelled"]
PaymentStatusCode = Literal["pending", "completed", "failed", "refunded"]
PaymentMethodCode = Literal["cash", "card", "bank_transfer", "kaspi", "other"]
RoleCode = Literal["agent", "manager", "admin"]
CategoryCode = Literal["MARKETING", "UTILITY", "AUTHENTICATION"]
CommunicationTypeCode = Literal["whatsapp", "email", "phone", "sms"]
for _literal, _choices in (
    (LeadStatusCode, LeadStatus),
    (LeadSourceCode, LeadSource),
    (BookingStatusCode, BookingStatus),
    (PaymentStatusCode, PaymentStatus),
    (PaymentMethodCode, PaymentMethod),
    (RoleCode, Role),
    (CategoryCode, TemplateCategory),
    (CommunicationTypeCode, CommunicationType),
):
    assert set(_literal.__args__) == set(_choices.values)  # type: ignore[attr-defined]


class In(Schema):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- auth ---------------------------------------------------------------------------------------
class TokenIn(In):
    email: Annotated[str, Field(max_length=254), AfterValidator(_no_nul)]
    password: Annotated[str, Field(max_length=1024), AfterValidator(_no_nul)]
    name: Annotated[str, Field(max_length=100), AfterValidator(_no_nul)] = ""


class TokenOut(Schema):
    token: str
    id: int
    prefix: str


class ApiTokenOut(Schema):
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


# --- users --------------------------------------------------------------------------------------
class UserOut(Schema):
    id: int
    email: str
    name: str
    role: str
    preferred_language: str | None
    preferred_currency: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class UserIn(In):
    email: Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_no_nul)]
    name: Name
    password: Annotated[str, Field(min_length=8, max_length=1024), AfterValidator(_no_nul)]
    role: RoleCode = "agent"
    preferred_language: LanguageCode | None = None
    preferred_currency: CurrencyCode | None = None


class UserPatch(In):
    email: Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_no_nul)] | None = (
        None
    )
    name: Name | None = None
    password: (
        Annotated[str, Field(min_length=8, max_length=1024), AfterValidator(_no_nul)] | None
    ) = None
    role: RoleCode | None = None
    preferred_language: LanguageCode | None = None
    preferred_currency: CurrencyCode | None = None
    is_active: bool | None = None


# --- clients ------------------------------------------------------------------------------------
class ClientOut(Schema):
    id: int
    name: str
    phone: str
    email: str | None
    preferred_language: str | None
    notes: str | None
    whatsapp_user_id: str | None
    lifetime_value: Decimal | None = Field(
        description="Completed payments over all bookings (null when an exchange rate is missing)."
    )
    lifetime_value_currency: str
    created_at: datetime
    updated_at: datetime


class ClientIn(In):
    name: Name
    phone: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]
    email: Annotated[str, Field(max_length=254), AfterValidator(_no_nul)] | None = None
    preferred_language: LanguageCode | None = None
    notes: LongText | None = None


class ClientPatch(In):
    name: Name | None = None
    phone: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)] | None = None
    email: Annotated[str, Field(max_length=254), AfterValidator(_no_nul)] | None = None
    preferred_language: LanguageCode | None = None
    notes: LongText | None = None


class MessageIn(In):
    """Either `body` (free text, inside the 24-hour window) or `template_id` with `variables`."""

    body: Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_no_nul)] | None = (
        None
    )
    template_id: Id | None = None
    variables: (
        dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=1024)]]
        | list[Annotated[str, Field(max_length=1024)]]
        | None
    ) = None


# --- leads --------------------------------------------------------------------------------------
class LeadOut(Schema):
    id: int
    client_id: int
    status: str
    source: str
    assigned_agent_id: int | None
    tour_interest_id: int | None
    unread_messages_count: int | None
    last_message_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LeadIn(In):
    """Either `client_id`, or `phone` (any spelling) with optional `name`/`email`/
    `preferred_language`: the client with that phone is found, or created (one call for a
    website form). An existing client's details are never overwritten."""

    client_id: Id | None = None
    phone: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)] | None = None
    name: Name | None = None
    email: Annotated[str, Field(max_length=254), AfterValidator(_no_nul)] | None = None
    preferred_language: LanguageCode | None = None
    source: LeadSourceCode = "manual"
    assigned_agent_id: Id | None = None
    tour_interest_id: Id | None = None


class LeadPatch(In):
    status: LeadStatusCode | None = None
    assigned_agent_id: Id | None = None
    tour_interest_id: Id | None = None
    source: LeadSourceCode | None = None


class ConvertIn(In):
    tour_departure_id: Id
    num_participants: Count


# --- tours --------------------------------------------------------------------------------------
class TourOut(Schema):
    id: int
    name: str | None
    description: str | None
    base_price: Decimal | None
    currency: str | None
    capacity: int | None
    duration_days: int | None
    active: bool | None
    created_at: datetime
    updated_at: datetime


class TourIn(In):
    name: Name
    description: LongText | None = None
    base_price: Money | None = None
    currency: CurrencyCode = "KZT"
    capacity: Capacity | None = None
    duration_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    active: bool = True


class TourPatch(In):
    name: Name | None = None
    description: LongText | None = None
    base_price: Money | None = None
    currency: CurrencyCode | None = None
    capacity: Capacity | None = None
    duration_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    active: bool | None = None


class DepartureOut(Schema):
    id: int
    tour_id: int
    departure_date: date | None
    price: Decimal | None
    currency: str | None
    capacity: int | None
    seats_taken: int
    seats_left: int
    created_at: datetime
    updated_at: datetime


class DepartureIn(In):
    tour_id: Id
    departure_date: date
    price: Money | None = None
    currency: CurrencyCode | None = None
    capacity: Capacity | None = None


class DeparturePatch(In):
    departure_date: date | None = None
    price: Money | None = None
    currency: CurrencyCode | None = None
    capacity: Capacity | None = None


# --- bookings and payments ----------------------------------------------------------------------
class BookingOut(Schema):
    id: int
    client_id: int
    lead_id: int | None
    tour_departure_id: int
    num_participants: int | None
    total_amount: Decimal | None
    currency: str | None
    status: str | None
    paid_amount: Decimal = Field(description="Completed payments in the booking's currency.")
    balance_due: Decimal
    overpayment: Decimal
    created_at: datetime
    updated_at: datetime


class BookingIn(In):
    client_id: Id
    tour_departure_id: Id
    num_participants: Count
    lead_id: Id | None = None
    total_amount: Money | None = None
    currency: CurrencyCode | None = None


class BookingPatch(In):
    num_participants: Count | None = None
    total_amount: Money | None = None
    status: Literal["cancelled"] | None = Field(
        None, description="Only `cancelled`: paid and completed follow from payments and dates."
    )


class PaymentOut(Schema):
    id: int
    booking_id: int
    amount: Decimal | None
    currency: str | None
    payment_date: date | None
    payment_method: str | None
    status: str | None
    created_at: datetime
    updated_at: datetime


class PaymentIn(In):
    booking_id: Id
    amount: PositiveMoney
    currency: CurrencyCode | None = None
    payment_date: date | None = None
    payment_method: PaymentMethodCode = "cash"
    status: PaymentStatusCode = "completed"


class PaymentPatch(In):
    status: PaymentStatusCode | None = None
    amount: PositiveMoney | None = None
    payment_date: date | None = None
    payment_method: PaymentMethodCode | None = None


# --- messaging ----------------------------------------------------------------------------------
class CommunicationOut(Schema):
    id: int
    client_id: int
    lead_id: int | None
    booking_id: int | None
    communication_type: str
    direction: str
    body: str | None
    subject: str | None
    whatsapp_message_id: str | None
    whatsapp_status: str | None
    media_url: str | None
    media_type: str | None
    message_type: str | None
    template_id: int | None
    sent_by_id: int | None
    error_code: int | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime


class TemplateOut(Schema):
    id: int
    name: str | None
    content: str | None
    category: str | None
    variables: str | None = Field(description="JSON list of the placeholder names, in order.")
    active: bool | None
    language: str
    created_at: datetime
    updated_at: datetime


class TemplateIn(In):
    name: Annotated[str, Field(min_length=1, max_length=512), AfterValidator(_no_nul)]
    content: Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_no_nul)]
    category: CategoryCode | None = None
    variables: list[
        Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]
    ] = []
    active: bool = True
    language: LanguageCode = "ru"


class TemplatePatch(In):
    name: Annotated[str, Field(min_length=1, max_length=512), AfterValidator(_no_nul)] | None = None
    content: (
        Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_no_nul)] | None
    ) = None
    category: CategoryCode | None = None
    variables: (
        list[Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]] | None
    ) = None
    active: bool | None = None
    language: LanguageCode | None = None


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """`{"items": [...], "count": N}` for a list endpoint (see `dreamland.api.pagination`)."""
    items: Any = list[item]  # type: ignore[valid-type]
    model: type[Schema] = create_model(name, __base__=PageOut, items=(items, ...))
    return model


def body_fields(payload: Schema, *not_null: str) -> dict[str, Any]:
    """Only the fields the client sent (PATCH semantics); `null` on any of `not_null` is a 422
    rather than a silent no-op."""
    fields = payload.model_dump(exclude_unset=True)
    nulls = [name for name in not_null if name in fields and fields[name] is None]
    if nulls:
        raise ValidationError(dict.fromkeys(nulls, _("This field cannot be null.")))
    return fields
