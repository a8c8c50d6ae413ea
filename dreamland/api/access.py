"""Who sees what through the API (SPEC §4); one helper per object type, so checks are greppable.

Agents see leads assigned to them or unassigned, and the clients of those leads. A client with no
lead at all (a walk-in, a fresh import) is visible to every agent too: somebody has to pick them
up. Bookings, payments and communications follow their client. Managers and admins see all.
Anything invisible answers 404, so ids of other agents' work leak nothing.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Min, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, Payment
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication


def _agent_leads(user: User) -> Q:
    return Q(assigned_agent=user) | Q(assigned_agent__isnull=True)


def _visible_to_agent[M: Model](qs: QuerySet[M], user: User, client: str) -> QuerySet[M]:
    """Rows of `qs` whose client (the column `client` names) this agent may see.

    One correlated subquery per client: MIN over the client's leads of 0 for "mine or
    unassigned", 1 for "another agent's" (no lead counts as 0). PostgreSQL answers it per row
    with an index-only scan of leads_client_agent_idx (client_id, assigned_agent_id), so a page
    newest first stops after its first 50 visible rows and a capped count after 1,001. The
    obvious `EXISTS(mine) OR NOT EXISTS(any)` instead becomes two hashed subplans that read
    every lead on every list (838 ms for the agent's clients page at 200k leads, 7 s for
    messages).
    """
    other = Case(When(_agent_leads(user), then=Value(0)), default=Value(1))
    first = (
        Lead.objects.filter(client=OuterRef(client))
        .order_by()
        .values("client")
        .annotate(other=Min(other))
        .values("other")
    )
    hidden = Coalesce(Subquery(first), Value(0))
    return cast("QuerySet[M]", qs.alias(_hidden=hidden).filter(_hidden=0))


def visible_clients(user: User) -> QuerySet[Client]:
    qs = Client.objects.all()
    return qs if user.is_manager else _visible_to_agent(qs, user, "pk")


def visible_leads(user: User) -> QuerySet[Lead]:
    qs = Lead.objects.all()
    return qs if user.is_manager else qs.filter(_agent_leads(user))


def visible_bookings(user: User) -> QuerySet[Booking]:
    qs = Booking.objects.all()
    return qs if user.is_manager else _visible_to_agent(qs, user, "client_id")


def visible_payments(user: User) -> QuerySet[Payment]:
    qs = Payment.objects.all()
    return qs if user.is_manager else _visible_to_agent(qs, user, "booking__client_id")


def visible_communications(user: User) -> QuerySet[Communication]:
    qs = Communication.objects.all()
    return qs if user.is_manager else _visible_to_agent(qs, user, "client_id")


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
