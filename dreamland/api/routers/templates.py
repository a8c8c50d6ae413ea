"""/whatsapp-templates: everyone reads; admins write through `dreamland.messaging.services`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from dreamland.api.access import get_or_404, require_admin
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import (
    Id,
    LanguageCode,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    body_fields,
    page_schema,
)
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.messaging.services import template_create, template_delete, template_update

router = Router(tags=["whatsapp-templates"])
TemplatePage = page_schema(TemplateOut, "TemplatePage")
WRITE_ERRORS = ERRORS


class TemplateFilters(Page):
    active: bool | None = None
    language: LanguageCode | None = None


@router.get("", response={200: TemplatePage, **ERRORS})
def template_list(request: HttpRequest, filters: Query[TemplateFilters]) -> dict[str, Any]:
    qs = WhatsAppTemplate.objects.order_by("name", "language", "pk")
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.language is not None:
        qs = qs.filter(language=filters.language)
    return paginate(qs, filters, keyset=False)


@router.post("", response={201: TemplateOut, **WRITE_ERRORS})
def template_post(request: HttpRequest, payload: TemplateIn) -> tuple[int, WhatsAppTemplate]:
    require_admin(current_user(request))
    return 201, template_create(**payload.model_dump(exclude_none=True))


@router.get("/{template_id}", response={200: TemplateOut, **ERRORS})
def template_get(request: HttpRequest, template_id: Id) -> WhatsAppTemplate:
    return get_or_404(WhatsAppTemplate.objects.all(), template_id)


@router.patch("/{template_id}", response={200: TemplateOut, **WRITE_ERRORS})
def template_patch(
    request: HttpRequest, template_id: Id, payload: TemplatePatch
) -> WhatsAppTemplate:
    require_admin(current_user(request))
    template = get_or_404(WhatsAppTemplate.objects.all(), template_id)
    return template_update(
        template=template,
        **body_fields(payload, "name", "content", "active", "language", "variables"),
    )


@router.delete("/{template_id}", response={204: None, **WRITE_ERRORS})
def template_remove(request: HttpRequest, template_id: Id) -> tuple[int, None]:
    require_admin(current_user(request))
    template = get_or_404(WhatsAppTemplate.objects.all(), template_id)
    template_delete(template=template)
    return 204, None
