"""The bridge to `dreamland.messaging.services` (WhatsApp sends and templates).

Looked up at call time: until that module provides a function, the endpoint answers 503 with
code `not_available` instead of failing at import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from dreamland.accounts.models import User
from dreamland.api.schemas import MessageIn
from dreamland.clients.models import Client
from dreamland.lib.errors import DomainError
from dreamland.messaging.models import Communication, WhatsAppTemplate


class NotAvailable(DomainError):
    status_code = 503
    code = "not_available"


def service(name: str) -> Callable[..., Any]:
    try:
        module = importlib.import_module("dreamland.messaging.services")
    except ImportError:
        module = None
    func = getattr(module, name, None)
    if func is None:
        raise NotAvailable(f"Messaging is not available in this build ({name} is missing).")
    return func


def send_message(*, user: User, client: Client, payload: MessageIn) -> Communication:
    if (payload.body is None) == (payload.template_id is None):
        raise ValidationError({"body": "Send either `body` or `template_id`, not both or neither."})
    if payload.body is not None:
        result = service("message_send_text")(client=client, body=payload.body, sent_by=user)
        return result
    template = WhatsAppTemplate.objects.filter(pk=payload.template_id or 0).first()
    if template is None:
        raise ValidationError({"template_id": "No such template."})
    result = service("message_send_template")(
        client=client, template=template, variables=payload.variables or {}, sent_by=user
    )
    return result
