"""The pipeline board, a lead's page and the lost reasons' list (SPEC §5; §4 permissions).

Thin views: forms parse, `dreamland.leads.services` decides, `dreamland.leads.board` reads.
A drop on the board is a POST answered with the re-rendered card (htmx) or a 422 carrying the
rule's message, so the script puts the card back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dreamland.accounts.models import User
from dreamland.api.access import visible_leads
from dreamland.leads.board import (
    BoardCard,
    BoardFilters,
    board_cards,
    board_columns,
    board_counts_key,
)
from dreamland.leads.forms import (
    AssignForm,
    BoardFilterForm,
    LostReasonForm,
    MoveForm,
    active_lost_reasons,
)
from dreamland.leads.models import FINAL_STATUSES, OPEN_STATUSES, Lead, LeadStatus, LostReason
from dreamland.leads.selectors import lead_assignable_users
from dreamland.leads.services import lead_assign, lead_transition, lost_reason_save
from dreamland.lib.errors import DomainError
from dreamland.lib.urls import path_for
from dreamland.web.access import lead_for, require_admin, require_manager
from dreamland.web.templatetags.dates import short_datetime

BOARD = "/pipeline/"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _htmx(request: HttpRequest) -> bool:
    """A fragment request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def _errors(form: Any) -> str:
    return " ".join(str(m) for ms in form.errors.values() for m in ms)


def _back(request: HttpRequest, fallback: str = BOARD) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


class CardView(TypedDict):
    """A board card ready to print: texts in the viewer's language, links made. A dict, not an
    object: the template engine tries `card[key]` first, so a dict skips an exception a lookup."""

    pk: str  # numbers as text: an int would go through number localisation on every use
    status: str
    final: bool
    client: str
    pick_label: str
    tour: str | None
    agent: str | None
    lost_reason: str | None
    unread: str  # "" when none
    last_message: str
    days: str
    url: str
    move_url: str
    menu: str  # the "Move" menu's inside, the same for every card of a status


def _move_menus(
    request: HttpRequest, here: str, statuses: Iterable[str] = OPEN_STATUSES
) -> dict[str, str]:
    """Per open status, the inside of a card's "Move" menu (the other statuses' buttons), rendered
    once for the page rather than once per card."""
    return {
        status: render_to_string(
            "leads/board.html#menu",
            {
                "targets": [(v, label) for v, label in LeadStatus.choices if v != status],
                "here": here,
                "csrf_token": get_token(request),
            },
        )
        for status in statuses
        if status in OPEN_STATUSES
    }


def _card_views(cards: Iterable[BoardCard], *, menus: dict[str, str]) -> list[CardView]:
    """The cards as the board prints them (each value computed here, none by a template filter
    or tag: a board of 300 cards spent most of its time in per-card tags and filters)."""
    now = timezone.now()
    detail, move = path_for("lead_detail"), path_for("lead_move")
    views = []
    for card in cards:
        days = max((now - card.status_since).days, 0)
        views.append(
            CardView(
                pk=str(card.pk),
                status=card.status,
                final=card.status in FINAL_STATUSES,
                client=card.client_name,
                pick_label=_("Select %(name)s") % {"name": card.client_name},
                tour=card.tour_name,
                agent=card.agent_name,
                lost_reason=card.lost_reason if card.status == LeadStatus.LOST else None,
                unread=str(card.unread) if card.unread else "",
                last_message=short_datetime(card.last_message_at),
                days=ngettext("%(days)s day in stage", "%(days)s days in stage", days)
                % {"days": days},
                url=detail(card.pk),
                move_url=move(card.pk),
                menu=menus.get(card.status, ""),
            )
        )
    return views


def _board_leads(user: User, filters: BoardFilters) -> Any:
    return filters.apply(visible_leads(user))


def _scope(user: User) -> str:
    return "all" if user.is_manager else f"agent:{user.pk}"


def book_url(lead: Lead) -> str:
    return f"{reverse('booking_new')}?{urlencode({'lead': lead.pk})}"


@login_required
@require_GET
def pipeline(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    agents = list(lead_assignable_users())
    form = BoardFilterForm(request.GET or None, agents=agents)
    filters = form.filters() if request.GET else BoardFilters()
    leads = _board_leads(user, filters)
    columns = board_columns(
        leads, counts_key=board_counts_key(visibility=_scope(user), filters=filters)
    )
    query = request.GET.urlencode()
    here = request.get_full_path()
    menus = _move_menus(request, here)
    return render(
        request,
        "leads/board.html",
        {
            "filter_fields": form.fields_to_print(),
            "columns": [(c, _card_views(c.cards, menus=menus)) for c in columns],
            "lost_reasons": list(active_lost_reasons()),
            "assignable": user.is_manager,
            "agents": agents,
            "query": query,
            "here": here,
        },
    )


@login_required
@require_GET
def pipeline_column(request: HttpRequest, status: str) -> HttpResponse:
    """The next page of one column's cards, after `?cursor=` (the board's "more" button)."""
    if status not in LeadStatus.values:
        return HttpResponse(status=404)
    user = _user(request)
    form = BoardFilterForm(request.GET)
    filters = form.filters()
    cards, cursor = board_cards(
        _board_leads(user, filters), status=status, cursor=request.GET.get("cursor") or None
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    here = BOARD + (f"?{params.urlencode()}" if params else "")
    return render(
        request,
        "leads/board.html#cards",
        {
            "cards": _card_views(cards, menus=_move_menus(request, here)),
            "column": {"status": status, "next_cursor": cursor},
            "assignable": user.is_manager,
            "query": params.urlencode(),
        },
    )


def _refuse(request: HttpRequest, message: str, back: str) -> HttpResponse:
    if _htmx(request):
        return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(back)


@login_required
@require_POST
def lead_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a lead to another status: the drop of a card, or its status menu.

    `won` goes to the booking form (a lead is won only by booking it); `lost` needs a reason.
    """
    user = _user(request)
    lead = lead_for(user, pk)
    back = _back(request)
    form = MoveForm(request.POST)
    status = request.POST.get("status")
    if status == LeadStatus.WON and lead.is_open:
        target = book_url(lead)
        if _htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    if not form.is_valid():
        if status == LeadStatus.LOST and not _htmx(request) and "lost_reason" in form.errors:
            return redirect(f"{reverse('lead_lost', args=[lead.pk])}?{urlencode({'next': back})}")
        return _refuse(request, _errors(form), back)
    try:
        lead = lead_transition(
            lead=lead,
            status=form.cleaned_data["status"],
            actor=user,
            lost_reason=form.cleaned_data.get("lost_reason"),
        )
    except DomainError as error:
        return _refuse(request, error.message, back)
    except ValidationError as error:
        return _refuse(request, " ".join(error.messages), back)
    if _htmx(request):
        cards, _cursor = board_cards(visible_leads(user).filter(pk=lead.pk), status=lead.status)
        return render(
            request,
            "leads/board.html#cards",
            {
                "cards": _card_views(cards, menus=_move_menus(request, back, [lead.status])),
                "assignable": user.is_manager,
            },
        )
    messages.success(
        request,
        _("Lead #%(id)s moved to %(status)s.")
        % {"id": lead.pk, "status": lead.get_status_display()},
    )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def lead_lost(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a lead lost with a reason: the page behind the status menu when scripts are off."""
    user = _user(request)
    lead = lead_for(user, pk)
    back = _back(request, reverse("lead_detail", args=[lead.pk]))
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["status"] = LeadStatus.LOST
    form = MoveForm(data, initial={"status": LeadStatus.LOST})
    if request.method == "POST" and form.is_valid():
        try:
            lead_transition(
                lead=lead,
                status=LeadStatus.LOST,
                actor=user,
                lost_reason=form.cleaned_data["lost_reason"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Lead #%(id)s marked lost.") % {"id": lead.pk})
            return redirect(back)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "leads/lost.html", {"lead": lead, "form": form, "next": back}, status=status
    )


@login_required
@require_POST
def leads_assign(request: HttpRequest) -> HttpResponse:
    """Managers give one card or several to an agent, in one transaction."""
    user = _user(request)
    require_manager(user)
    back = _back(request)
    form = AssignForm(request.POST, leads=visible_leads(user))
    if not form.is_valid():
        return _refuse(request, _errors(form), back)
    agent = form.cleaned_data["agent"]
    leads = list(form.cleaned_data["leads"])
    try:
        with transaction.atomic():
            for lead in leads:
                lead_assign(lead=lead, agent=agent, actor=user)
    except DomainError as error:
        return _refuse(request, error.message, back)
    messages.success(
        request,
        _("%(count)s lead(s) assigned to %(agent)s.")
        % {"count": len(leads), "agent": agent.name if agent else _("nobody")},
    )
    return redirect(back)


@login_required
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    lead = lead_for(user, pk)
    lead = (
        Lead.objects.select_related("client", "tour_interest", "assigned_agent", "lost_reason")
        .filter(pk=lead.pk)
        .get()
    )
    booking = getattr(lead, "booking", None) if lead.status == LeadStatus.WON else None
    return render(
        request,
        "leads/lead.html",
        {
            "lead": lead,
            "booking": booking,
            "statuses": LeadStatus.choices,
            "lost_reasons": list(active_lost_reasons()),
            "agents": list(lead_assignable_users()) if user.is_manager else None,
            "book_url": book_url(lead),
            "here": request.get_full_path(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lost_reasons(request: HttpRequest) -> HttpResponse:
    """The editable list of lost reasons: managers read it, admins edit it."""
    user = _user(request)
    require_manager(user)
    reasons = list(LostReason.objects.order_by("position", "name"))
    form = LostReasonForm(prefix="new")
    status = 200
    if request.method == "POST":
        require_admin(user)
        edited = None
        if request.POST.get("reason"):
            edited = next((r for r in reasons if str(r.pk) == request.POST["reason"]), None)
            if edited is None:
                return HttpResponse(status=404)
        form = LostReasonForm(request.POST, prefix="new")
        if form.is_valid():
            try:
                lost_reason_save(reason=edited, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The list of lost reasons was saved."))
                return HttpResponseRedirect(reverse("lost_reasons"))
        status = 422
    return render(
        request,
        "leads/lost_reasons.html",
        {"reasons": reasons, "form": form, "can_edit": user.is_admin},
        status=status,
    )
