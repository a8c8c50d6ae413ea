"""One JSON shape for every error the API answers.

Field errors: `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` (ninja's validation shape).
Rule errors: `{"detail": "...", "code": "..."}` with the domain error's status code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError

from dreamland.accounts.services import AccountLocked
from dreamland.lib.errors import DomainError
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.messaging.services import WindowClosed

if TYPE_CHECKING:
    from ninja import NinjaAPI


class ErrorOut(Schema):
    detail: str | list[dict[str, Any]]
    code: str | None = None
    # 409 duplicate phone: the client that already has it.
    client_id: int | None = None
    # 422 window_closed: the active templates that may still be sent (`template_id` = `id`).
    templates: list[dict[str, Any]] | None = None


ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _field_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field], "msg": str(msg), "type": "value_error"}
            for field, messages in exc.message_dict.items()
            for msg in messages
        ]
    return [{"loc": ["body"], "msg": str(msg), "type": "value_error"} for msg in exc.messages]


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        existing = getattr(exc, "client", None)
        if existing is not None:
            body["client_id"] = existing.pk
        if isinstance(exc, WindowClosed):
            body["templates"] = list(
                WhatsAppTemplate.objects.filter(active=True, name__in=exc.templates)
                .order_by("name", "language", "pk")
                .values("id", "name", "language")
            )
        return respond(request, body, exc.status_code)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = str(exc)
        if detail == "Unauthorized":  # ninja's own, for a missing or unknown token
            detail = _(
                "Missing or invalid token: send `Authorization: Bearer <token>` "
                "(get one from POST /api/v1/auth/token)."
            )
        body = {"detail": detail, "code": "unauthorized"}
        response = respond(request, body, 401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        code = None
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = _("The body is not valid JSON (send a JSON object, or a form-encoded body).")
            code = "invalid_body"
        return respond(request, {"detail": detail, "code": code}, exc.status_code)

    @api.exception_handler(DjangoValidationError)
    def validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, {"detail": _field_errors(exc)}, 422)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, {"detail": str(exc) or _("Forbidden."), "code": "forbidden"}, 403)

    @api.exception_handler(AccountLocked)
    def account_locked(request: HttpRequest, exc: AccountLocked) -> HttpResponse:
        return respond(request, {"detail": str(exc), "code": "account_locked"}, 429)

    @api.exception_handler(IntegrityError)
    def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        return respond(
            request,
            {"detail": _("The change conflicts with existing data."), "code": "conflict"},
            409,
        )

    @api.exception_handler(DataError)
    def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        return respond(
            request, {"detail": _("A value is out of range."), "code": "invalid_value"}, 422
        )
