"""The client pages: the list (/clients/) and the card (/clients/<id>/) with its fragments.

Every object is fetched through `dreamland.web.access` (404 for what the viewer may not see);
writes go through `dreamland.clients.services` and `dreamland.leads.services`; a fragment answers
the re-rendered partial, or 422 with the per-field messages (htmx swaps 422 in place).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dreamland.accounts.models import User
from dreamland.api.access import visible_clients
from dreamland.bookings.selectors import with_lifetime_values
from dreamland.clients.card import (
    card_leads,
    client_card,
    client_timeline,
    current_lead,
    with_open_leads,
)
from dreamland.clients.display import client_rows
from dreamland.clients.forms import (
    ClientFilterForm,
    ClientProfileForm,
    LeadAssignForm,
    LeadStatusForm,
    LeadTourForm,
)
from dreamland.clients.models import Client
from dreamland.clients.selectors import Cursor, client_filter, client_page, client_search
from dreamland.clients.services import PhoneTaken, client_update
from dreamland.leads.models import Lead, LeadSource
from dreamland.leads.selectors import lead_assignable_users
from dreamland.leads.services import lead_assign, lead_create, lead_transition, lead_update
from dreamland.lib.errors import DomainError
from dreamland.tours.selectors import active_tours
from dreamland.web.access import client_for, lead_for

UNPROCESSABLE = 422


def _htmx(request: HttpRequest) -> bool:
    """An htmx fragment request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- the list -----------------------------------------------------------------------------------


@login_required
@require_GET
def client_list(request: HttpRequest) -> HttpResponse:
    """Search by name or phone, filter by the leads' status and agent; keyset pages of 50."""
    user = _user(request)
    form = ClientFilterForm(request.GET or None, user=user)
    qs = visible_clients(user)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = client_search(qs, filters.get("q", ""))
    owner = filters.get("owner", "")
    qs = client_filter(
        qs,
        status=filters.get("status", ""),
        agent_id=user.pk if owner == "mine" else (int(owner) if owner.isdigit() else None),
        unassigned=owner == "unassigned",
        no_lead=owner == "none",
    )
    # an agent's matches each test visibility (a subquery): the first page counts in the
    # same pass
    page = client_page(
        qs, after=Cursor.decode(request.GET.get("after")), one_pass=not user.is_manager
    )
    with_open_leads(user=user, clients=page.rows)
    currency = user.preferred_currency or "KZT"
    with_lifetime_values(page.rows, currency)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        # the selects are written out in the template (a select widget renders through the
        # form renderer's templates: ~1 ms each); what they show selected, as typed
        "status": str(form["status"].value() or ""),
        "owner": str(form["owner"].value() or ""),
        "page": page,
        "rows": client_rows(page.rows, currency),
        "query": query.urlencode(),
        "filtered": bool(filters.get("q") or filters.get("status") or owner),
    }
    if _htmx(request) and request.GET.get("after"):
        return render(request, "clients/list.html#rows", context)
    return render(request, "clients/list.html", context)


# --- the card -----------------------------------------------------------------------------------


def _card_context(request: HttpRequest, client: Client, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    card = client_card(user=user, client=client, before=Cursor.decode(request.GET.get("before")))
    context: dict[str, Any] = {"card": card, "client": client, "leads": card.leads}
    context.update(_lead_context(user, card.lead))
    context.setdefault("profile_form", _profile_form(client))
    context.update(extra)
    return context


def _profile_form(client: Client) -> ClientProfileForm:
    return ClientProfileForm(
        initial={
            "name": client.name,
            "phone": client.phone,
            "email": client.email or "",
            "preferred_language": client.preferred_language or "",
            "notes": client.notes or "",
        }
    )


def _lead_context(user: User, lead: Lead | None, **extra: Any) -> dict[str, Any]:
    """What the current-lead panel needs: its forms bound to the lead's values."""
    context: dict[str, Any] = {"lead": lead, "may_reassign": user.is_manager}
    if lead is not None:
        # The selects are written out in the template from these (value, label) pairs: the
        # forms' widgets rendered through the form renderer's templates cost ~1 ms each. The
        # choices are the forms' own, so what is offered is what the POST accepts.
        context["status_choices"] = LeadStatusForm.base_fields["status"].choices  # type: ignore[attr-defined]
        context["tour_choices"] = [(str(t.pk), str(t)) for t in active_tours()]
        context["tour_selected"] = str(lead.tour_interest_id or "")
        if user.is_manager:
            context["agent_choices"] = [(str(u.pk), str(u)) for u in lead_assignable_users()]
            context["agent_selected"] = str(lead.assigned_agent_id or "")
        context["may_take"] = lead.assigned_agent_id is None and not user.is_manager
    context.update(extra)
    return context


@login_required
@require_GET
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_for(_user(request), pk)
    return render(request, "clients/card.html", _card_context(request, client))


@login_required
@require_GET
def client_timeline_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Older communications (htmx "older" link): the next timeline items after `?before=`."""
    client = client_for(_user(request), pk)
    before = Cursor.decode(request.GET.get("before"))
    if before is None:
        return HttpResponse(_("Missing or malformed cursor."), status=400)
    timeline = client_timeline(client=client, before=before)
    return render(
        request, "clients/card.html#timeline_items", {"client": client, "timeline": timeline}
    )


@login_required
@require_POST
def client_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the profile; a phone of another client is refused with a link to that client."""
    user = _user(request)
    client = client_for(user, pk)
    form = ClientProfileForm(request.POST)
    phone_owner = None
    saved = False
    if form.is_valid():
        try:
            client_update(client=client, **form.cleaned_data)
            saved = True
        except PhoneTaken as exc:
            form.add_error("phone", exc.message)
            phone_owner = exc.client
        except ValidationError as exc:
            _add_errors(form, exc)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    if not saved:
        # What the user typed stays in the form; the profile shows what is stored.
        client.refresh_from_db()
    status = 200 if saved else UNPROCESSABLE
    context: dict[str, Any] = {
        "profile_form": _profile_form(client) if saved else form,
        "phone_owner": phone_owner,
        "saved": saved,
    }
    if _htmx(request):
        return render(
            request, "clients/card.html#profile", {"client": client, **context}, status=status
        )
    if saved:
        messages.success(request, _("Client saved."))
        return redirect("clients:detail", pk=client.pk)
    return render(
        request, "clients/card.html", _card_context(request, client, **context), status=status
    )


def _add_errors(form: ClientProfileForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the current lead ---------------------------------------------------------------------------


def _client_lead(user: User, pk: int, lead_pk: int) -> tuple[Client, Lead]:
    """The lead through its access helper, and only as one of this client's leads."""
    client = client_for(user, pk)
    lead = lead_for(user, lead_pk)
    if lead.client_id != client.pk:
        raise Http404
    return client, lead


def _lead_answer(
    request: HttpRequest, client: Client, lead: Lead, *, error: str = "", status: int = 200
) -> HttpResponse:
    """The re-rendered lead panel (and, out of band, the leads table); or the card without htmx."""
    user = _user(request)
    if not _htmx(request):
        if error:
            messages.error(request, error)
        return redirect("clients:detail", pk=client.pk)
    leads = card_leads(user=user, client=client)
    shown = next((row for row in leads if row.pk == lead.pk), None) if error else None
    context = {"client": client, "leads": leads, "lead_error": error, "oob": True}
    context.update(_lead_context(user, shown or current_lead(leads)))
    return render(request, "clients/card.html#lead_update", context, status=status)


@login_required
@require_POST
def lead_status(request: HttpRequest, pk: int, lead_pk: int) -> HttpResponse:
    """Move the lead by the pipeline rules; an illegal move is a 422 with the rule's message."""
    user = _user(request)
    client, lead = _client_lead(user, pk, lead_pk)
    form = LeadStatusForm(request.POST)
    if not form.is_valid():
        return _lead_answer(request, client, lead, error=_form_error(form), status=UNPROCESSABLE)
    try:
        lead_transition(lead=lead, status=form.cleaned_data["status"], actor=user)
    except (DomainError, ValidationError) as exc:
        return _lead_answer(request, client, lead, error=_message(exc), status=UNPROCESSABLE)
    return _lead_answer(request, client, lead)


@login_required
@require_POST
def lead_assign_view(request: HttpRequest, pk: int, lead_pk: int) -> HttpResponse:
    """Managers give the lead to anyone; an agent may only take an unassigned lead themselves."""
    user = _user(request)
    client, lead = _client_lead(user, pk, lead_pk)
    form = LeadAssignForm(request.POST)
    if not form.is_valid():
        return _lead_answer(request, client, lead, error=_form_error(form), status=UNPROCESSABLE)
    agent = form.cleaned_data["agent"]
    agent_id = agent.pk if agent is not None else None
    if not user.is_manager and agent_id not in (lead.assigned_agent_id, user.pk):
        raise PermissionDenied(_("Only managers and admins reassign leads."))
    try:
        lead_assign(lead=lead, agent=agent, actor=user)
    except DomainError as exc:
        return _lead_answer(request, client, lead, error=exc.message, status=UNPROCESSABLE)
    return _lead_answer(request, client, lead)


@login_required
@require_POST
def lead_tour(request: HttpRequest, pk: int, lead_pk: int) -> HttpResponse:
    user = _user(request)
    client, lead = _client_lead(user, pk, lead_pk)
    form = LeadTourForm(request.POST)
    if not form.is_valid():
        return _lead_answer(request, client, lead, error=_form_error(form), status=UNPROCESSABLE)
    try:
        lead_update(lead=lead, tour_interest=form.cleaned_data["tour_interest"], actor=user)
    except (DomainError, ValidationError) as exc:
        return _lead_answer(request, client, lead, error=_message(exc), status=UNPROCESSABLE)
    return _lead_answer(request, client, lead)


@login_required
@require_POST
def lead_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new lead for the client: an agent's is theirs; a manager's is assigned automatically."""
    user = _user(request)
    client = client_for(user, pk)
    form = LeadTourForm(request.POST)
    tour = form.cleaned_data["tour_interest"] if form.is_valid() else None
    lead = lead_create(
        client=client,
        source=LeadSource.MANUAL,
        assigned_agent=None if user.is_manager else user,
        tour_interest=tour,
    )
    messages.success(request, _("Lead #%(id)s created.") % {"id": lead.pk})
    return redirect("clients:detail", pk=client.pk)


def _form_error(form: Any) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


def _message(exc: DomainError | ValidationError) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return " ".join(exc.messages)
