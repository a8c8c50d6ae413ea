"""Who sees what through the API (SPEC §4); one helper per object type, so checks are greppable.

Agents see leads assigned to them or unassigned, and the clients of those leads. A client with no
lead at all (a walk-in, a fresh import) is visible to every agent too: somebody has to pick them
up. Bookings, payments and communications follow their client. Managers and admins see all.
Anything invisible answers 404, so ids of other agents' work leak nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, Payment
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication


def _agent_leads(user: User) -> Q:
    return Q(assigned_agent=user) | Q(assigned_agent__isnull=True)


def visible_clients(user: User) -> QuerySet[Client]:
    qs = Client.objects.all()
    if user.is_manager:
        return qs
    mine = Lead.objects.filter(_agent_leads(user), client=OuterRef("pk"))
    any_lead = Lead.objects.filter(client=OuterRef("pk"))
    return qs.filter(Exists(mine) | ~Exists(any_lead))


def visible_leads(user: User) -> QuerySet[Lead]:
    qs = Lead.objects.all()
    return qs if user.is_manager else qs.filter(_agent_leads(user))


def visible_bookings(user: User) -> QuerySet[Booking]:
    qs = Booking.objects.all()
    return qs if user.is_manager else qs.filter(client__in=visible_clients(user).values("pk"))


def visible_payments(user: User) -> QuerySet[Payment]:
    qs = Payment.objects.all()
    if user.is_manager:
        return qs
    return qs.filter(booking__client__in=visible_clients(user).values("pk"))


def visible_communications(user: User) -> QuerySet[Communication]:
    qs = Communication.objects.all()
    return qs if user.is_manager else qs.filter(client__in=visible_clients(user).values("pk"))


def get_or_404[M: Model](qs: QuerySet[M], pk: int) -> M:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found.")
    return obj


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDenied(_("Only admins may do this."))


def require_manager(user: User) -> None:
    if not user.is_manager:
        raise PermissionDenied(_("Only managers and admins may do this."))
