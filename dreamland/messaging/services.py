"""The rules of messaging that do not depend on a channel: the 24-hour customer-service
window and message templates (validation, rendering, the translation for a client).

Sending (`dreamland.whatsapp.outbound`) and storing inbound messages (`messaging.inbound`) use
them; this module never imports the WhatsApp app.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dreamland.clients.models import Client
from dreamland.leads.first_messages import first_inbound_note, first_response_note
from dreamland.lib.choices import Language, choose_one_of
from dreamland.lib.errors import Conflict, RuleViolation, reject_unknown_fields
from dreamland.messaging.models import (
    Communication,
    CommunicationType,
    Direction,
    TemplateCategory,
    WhatsAppTemplate,
)

WINDOW = timedelta(hours=24)
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
FALLBACK_LANGUAGE = Language.RU


# --- a lead's first message and first response (the reports' response times) ----------------
def communication_first_times_note(*, communication: Communication) -> None:
    """Keep the lead's `first_inbound_at` / `first_response_at` with a message just stored:
    call it in the transaction that inserted the message (an agent's send, a logged call)."""
    if communication.lead_id is None:
        return
    if communication.direction == Direction.INBOUND:
        first_inbound_note(lead_id=communication.lead_id, at=communication.created_at)
    else:
        first_response_note(lead_id=communication.lead_id, at=communication.created_at)


# --- the 24-hour window -----------------------------------------------------------------------
def inbound_whatsapp_newest_first(client: Client | OuterRef) -> QuerySet[Communication]:
    """The client's WhatsApp messages to us, newest first: what opens the 24-hour window (our
    own messages never extend it). `client` may be an OuterRef, for a subquery per row."""
    return Communication.objects.filter(
        client=client,
        communication_type=CommunicationType.WHATSAPP,
        direction=Direction.INBOUND,
    ).order_by("-created_at")


def whatsapp_last_inbound_at(client: Client) -> datetime | None:
    """When the client last wrote on WhatsApp."""
    return inbound_whatsapp_newest_first(client).values_list("created_at", flat=True).first()


def window_closes_at(last_inbound_at: datetime | None) -> datetime | None:
    """The 24-hour rule: free text until a day after the client's last message to us."""
    return last_inbound_at + WINDOW if last_inbound_at is not None else None


def whatsapp_window_expires_at(client: Client) -> datetime | None:
    return window_closes_at(whatsapp_last_inbound_at(client))


def whatsapp_window_open(client: Client, now: datetime | None = None) -> bool:
    expires = whatsapp_window_expires_at(client)
    return expires is not None and (now or timezone.now()) < expires


def template_names_available() -> list[str]:
    names = WhatsAppTemplate.objects.filter(active=True).values_list("name", flat=True)
    return sorted({name for name in names if name})


class WindowClosed(RuleViolation):
    """Free text outside the 24-hour window; `templates` lists what may be sent instead."""

    code = "window_closed"

    def __init__(self, templates: list[str]) -> None:
        message = _(
            "More than 24 hours since the client's last message: WhatsApp only allows a "
            "template now."
        )
        if templates:
            message += _(" Available templates: %(templates)s.") % {
                "templates": ", ".join(templates)
            }
        super().__init__(
            message,
            code="window_closed",
        )
        self.templates = templates


# --- templates --------------------------------------------------------------------------------
def template_placeholders(content: str) -> list[int]:
    """The distinct placeholder numbers, in order: must be 1..N."""
    return sorted({int(n) for n in PLACEHOLDER.findall(content)})


def template_variables(template: WhatsAppTemplate) -> list[str]:
    if not template.variables:
        return []
    try:
        names = json.loads(template.variables)
    except ValueError:
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


def _clean_template(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    if "name" in cleaned:
        name = str(cleaned["name"] or "").strip()
        if not TEMPLATE_NAME.match(name):
            errors["name"] = _("Use lowercase letters, digits and underscores only.")
        cleaned["name"] = name
    if "category" in cleaned:
        category = str(cleaned["category"] or "").strip().upper()
        if category not in TemplateCategory.values:
            errors["category"] = choose_one_of(TemplateCategory.values)
        cleaned["category"] = category
    if "language" in cleaned and cleaned["language"] not in Language.values:
        errors["language"] = choose_one_of(Language.values)
    if "variables" in cleaned:
        variables = cleaned["variables"]
        if isinstance(variables, str):
            try:
                variables = json.loads(variables) if variables.strip() else []
            except ValueError:
                errors["variables"] = _("Give a JSON list of names.")
                variables = []
        if not isinstance(variables, list) or not all(
            isinstance(v, str) and v.strip() for v in variables
        ):
            errors["variables"] = _("Give a list of names.")
            variables = []
        cleaned["variables"] = [v.strip() for v in variables]
    if "content" in cleaned:
        content = str(cleaned["content"] or "")
        if not content.strip():
            errors["content"] = _("The template needs content.")
        cleaned["content"] = content
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_placeholders(content: str, variables: list[str]) -> None:
    numbers = template_placeholders(content)
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValidationError({"content": _("Placeholders must be {{1}}, {{2}}, … without gaps.")})
    if len(numbers) != len(variables):
        raise ValidationError(
            {
                "variables": _(
                    "The content has %(placeholders)s placeholder(s) but "
                    "%(variables)s variable name(s) are given."
                )
                % {"placeholders": len(numbers), "variables": len(variables)}
            }
        )


def template_create(
    *,
    name: str,
    content: str,
    category: str = TemplateCategory.UTILITY,
    variables: list[str] | str | None = None,
    language: str = Language.RU,
    active: bool = True,
) -> WhatsAppTemplate:
    fields = _clean_template(
        {
            "name": name,
            "content": content,
            "category": category,
            "variables": variables or [],
            "language": language,
        }
    )
    _check_placeholders(fields["content"], fields["variables"])
    template = WhatsAppTemplate(
        name=fields["name"],
        content=fields["content"],
        category=fields["category"],
        variables=json.dumps(fields["variables"], ensure_ascii=False),
        language=fields["language"],
        active=active,
    )
    try:
        with transaction.atomic():
            template.save(force_insert=True)
    except IntegrityError:
        raise _template_taken(fields["name"], fields["language"]) from None
    return template


def template_update(*, template: WhatsAppTemplate, **fields: Any) -> WhatsAppTemplate:
    allowed = {"name", "content", "category", "variables", "language", "active"}
    reject_unknown_fields(fields, allowed)
    cleaned = _clean_template({k: v for k, v in fields.items() if k != "active"})
    content = cleaned.get("content", template.content or "")
    variables = cleaned.get("variables", template_variables(template))
    _check_placeholders(content, variables)
    for key, value in cleaned.items():
        setattr(
            template, key, json.dumps(value, ensure_ascii=False) if key == "variables" else value
        )
    if "active" in fields:
        template.active = bool(fields["active"])
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise _template_taken(template.name, template.language) from None
    return template


def _template_taken(name: str | None, language: str) -> Conflict:
    return Conflict(
        _("A template %(name)s in %(language)s already exists.")
        % {"name": name, "language": language},
        field="name",
        code="template_taken",
    )


def template_delete(*, template: WhatsAppTemplate) -> None:
    """Delete; messages already sent keep their text (the FK is SET_NULL)."""
    template.delete()


def template_values(template: WhatsAppTemplate, values: dict[str, Any] | list[Any]) -> list[str]:
    """Values for {{1}}..{{N}}, from a list or a dict keyed by variable name or number."""
    count = len(template_placeholders(template.content or ""))
    names = template_variables(template)
    result: list[str] = []
    missing: list[str] = []
    for index in range(1, count + 1):
        name = names[index - 1] if index - 1 < len(names) else str(index)
        if isinstance(values, dict):
            value = values.get(name, values.get(str(index), values.get(index)))  # type: ignore[call-overload]
        else:
            value = values[index - 1] if index - 1 < len(values) else None
        if value is None or str(value).strip() == "":
            missing.append(name)
        else:
            result.append(str(value))
    if missing:
        raise ValidationError(
            {"variables": _("Missing value for: %(names)s.") % {"names": ", ".join(missing)}},
            code="missing_variable",
        )
    if isinstance(values, list) and len(values) > count:
        raise ValidationError(
            {"variables": _("The template takes %(count)s value(s).") % {"count": count}}
        )
    return result


def template_render(template: WhatsAppTemplate, values: dict[str, Any] | list[Any]) -> str:
    """The text a client will read; every placeholder must get a non-empty value."""
    ordered = template_values(template, values)
    return PLACEHOLDER.sub(lambda m: ordered[int(m.group(1)) - 1], template.content or "")


def template_for_client(*, name: str, client: Client) -> WhatsAppTemplate:
    """The translation in the client's language, else Russian, else any active one."""
    candidates = list(WhatsAppTemplate.objects.filter(name=name, active=True))
    if not candidates:
        raise RuleViolation(
            _("There is no active template %(name)s.") % {"name": repr(name)},
            code="template_missing",
        )
    by_language = {t.language: t for t in candidates}
    for language in (client.preferred_language, FALLBACK_LANGUAGE):
        if language and language in by_language:
            return by_language[language]
    return sorted(candidates, key=lambda t: t.language)[0]
