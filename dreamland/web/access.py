"""Access helpers for the pages: one per object type, each raising 404 (SPEC §4).

A page or fragment fetches every object it shows by id through these, so the permission check
is one greppable call: an agent asking for another agent's client, lead, booking, payment,
communication or media file gets 404, never a hint that it exists. Visibility itself is the one
rule in `dreamland.api.access` (the API and the pages share it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.api.access import (
    visible_bookings,
    visible_clients,
    visible_communications,
    visible_leads,
    visible_payments,
)
from dreamland.bookings.models import Booking, Payment
from dreamland.clients.models import Client
from dreamland.imports.models import ImportJob
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication


def _one[M: Model](qs: QuerySet[M], pk: object) -> M:
    try:
        key = int(str(pk))
    except ValueError:
        raise Http404 from None
    obj = qs.filter(pk=key).first()
    if obj is None:
        raise Http404
    return obj


def client_for(user: User, pk: object) -> Client:
    return _one(visible_clients(user), pk)


def lead_for(user: User, pk: object) -> Lead:
    return _one(visible_leads(user).select_related("client"), pk)


def booking_for(user: User, pk: object) -> Booking:
    return _one(visible_bookings(user).select_related("client", "tour_departure__tour"), pk)


def payment_for(user: User, pk: object) -> Payment:
    return _one(visible_payments(user).select_related("booking"), pk)


def communication_for(user: User, pk: object) -> Communication:
    return _one(visible_communications(user), pk)


def import_job_for(user: User, pk: object) -> ImportJob:
    """Imports are managers' and admins' work; they see each other's (one agency's files)."""
    require_manager(user)
    return _one(ImportJob.objects.defer("content"), pk)


def require_manager(user: User) -> None:
    """Managers and admins only (reassigning, reports of everyone, editing tours)."""
    if not user.is_manager:
        raise PermissionDenied(_("Only managers and admins may do this."))


def require_admin(user: User) -> None:
    """Admins only (users, templates, rates, settings)."""
    if not user.is_admin:
        raise PermissionDenied(_("Only admins may do this."))
