"""The agents' WhatsApp inbox and conversation pages, their fragments, the live poll and media.

Every client, communication and media file is fetched through `dreamland.web.access` (404 for
anything the user may not see). Sending goes through `dreamland.messaging.page_actions`.
"""

from __future__ import annotations

import json
import mimetypes
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dreamland.accounts.models import User
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.leads.services import conversation_mark_read, lead_update
from dreamland.lib.errors import DomainError
from dreamland.lib.phones import format_phone_international
from dreamland.messaging import page_actions
from dreamland.messaging.forms import (
    InboxFilterForm,
    LogForm,
    ReplyForm,
    TemplateForm,
    TourInterestForm,
)
from dreamland.messaging.journal import communication_log
from dreamland.messaging.models import Communication, WhatsAppStatus, WhatsAppTemplate
from dreamland.messaging.selectors import (
    FIRST_PAGE,
    PAGE_SIZE,
    InboxFilters,
    current_lead,
    inbox_neighbours,
    inbox_new_count,
    inbox_page,
    poll_cursor,
    template_known_values,
    templates_for_client,
    thread_changes,
    thread_page,
    window_expires_at,
)
from dreamland.messaging.services import whatsapp_window_expires_at
from dreamland.reminders.selectors import unanswered_count, unanswered_flag
from dreamland.tours.models import Tour
from dreamland.tours.selectors import active_tours
from dreamland.web.access import client_for, communication_for
from dreamland.web.context_processors import unread_total

PAGE = "messaging/inbox.html"
# Media a browser may show inline; anything else (html, svg, pdf…) is a download.
INLINE_MEDIA = ("image/jpeg", "image/png", "image/webp", "image/gif", "audio/", "video/")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _filters(request: HttpRequest) -> InboxFilters:
    form = InboxFilterForm(request.GET)
    return form.filters(manager=_user(request).is_manager)


def _list_context(request: HttpRequest, filters: InboxFilters) -> dict[str, Any]:
    """The list's rows and header: a first page of FIRST_PAGE rows, then pages of PAGE_SIZE
    after the `after` cursor. `?active=`: the open conversation beside it (the conversation
    page loads its list so, and the poll re-fetches it so), whose row is marked."""
    user = _user(request)
    try:
        active_id = int(request.GET.get("active") or 0)
    except ValueError:
        active_id = 0
    after = request.GET.get("after")
    size = PAGE_SIZE if after else FIRST_PAGE
    page = inbox_page(user, filters, after=after, size=size, unanswered=unanswered_flag())
    query = filters.query()
    for row in page.rows:
        row.active = row.client_id == active_id
    encoded = urlencode(query)
    return {
        "page": page,
        "filters": filters,
        "source_choices": InboxFilterForm.base_fields["source"].choices,  # type: ignore[attr-defined]
        # For the list's filter: read when a template shows it (never for a page of rows).
        "tours": SimpleLazyObject(_tours),
        "query": encoded,
        "link_query": f"?{encoded}" if encoded else "",
        "scope_links": [
            (scope, label, urlencode({**query, "scope": scope})) for scope, label in _scopes()
        ],
        "next_query": urlencode({**query, "after": page.next_cursor}) if page.next_cursor else "",
        # Reminders' count of unanswered conversations: the list header only (never the rows
        # or the poll), when the template asks for it.
        "unanswered_count": lambda: unanswered_count(user),
    }


def _tours() -> list[Tour]:
    """The active tours, for the list's filter and the tour-interest picker (names only)."""
    return list(active_tours().only("name"))


def _scopes() -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    return [("all", _("All")), ("mine", _("Mine")), ("unassigned", _("Unassigned"))]


# --- the inbox --------------------------------------------------------------------------------
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """`/inbox/`: the list; `?part=list` re-renders it, `?part=rows&after=` the next page."""
    filters = _filters(request)
    context = _list_context(request, filters)
    part = request.GET.get("part")
    htmx = getattr(request, "htmx", False)
    if htmx and part == "rows":
        return render(request, f"{PAGE}#rows", context)
    if htmx and part == "list":
        return render(request, f"{PAGE}#list", context)
    return render(request, PAGE, {**context, "poll_cursor": poll_cursor()})


@login_required
@require_GET
def inbox_new(request: HttpRequest) -> HttpResponse:
    """The "N new" pill: conversations that moved above the first row the agent sees."""
    count = inbox_new_count(_user(request), _filters(request), top=request.GET.get("top"))
    return render(request, f"{PAGE}#pill", {"new_count": count})


@never_cache
@login_required
@require_GET
def inbox_poll(request: HttpRequest) -> HttpResponse:
    """The live cursor. Nothing changed since `since`: 204 after one indexed MAX query.
    Otherwise the new cursor and the unread total; each region then re-fetches its partial."""
    cursor = poll_cursor()
    if request.GET.get("since") == cursor:
        return HttpResponse(status=204)
    response = JsonResponse({"cursor": cursor, "unread": unread_total(_user(request))})
    response["HX-Trigger"] = json.dumps({"inbox:changed": {"cursor": cursor}})
    return response


# --- one conversation -------------------------------------------------------------------------
def _composer_context(client: Client, lead: Lead | None, **extra: Any) -> dict[str, Any]:
    """`lead`: from `current_lead` (it carries the window)."""
    expires = window_expires_at(client, lead)
    now = timezone.now()
    window_open = expires is not None and now < expires
    context: dict[str, Any] = {
        "client": client,
        "window_open": window_open,
        "window_expires_at": expires,
        "reply_form": ReplyForm(),
        "reply_max_length": page_actions.MAX_TEXT_LENGTH,
    }
    if not window_open:
        context["templates"] = templates_for_client(client)
    context.update(extra)
    return context


def _thread_context(request: HttpRequest, client: Client) -> dict[str, Any]:
    """The thread and its composer. The list beside it is loaded by htmx once the page is
    shown (`/inbox/?part=list&active=`): its rows, their last messages and its rendering were a
    third of the page's time. Alt+J / Alt+K read the neighbours off that list's rows; a
    conversation not on it asks `?part=neighbours` when the key is pressed."""
    lead = current_lead(client)
    params = _filters(request).query()
    neighbours_url = ""
    if lead is not None and lead.last_message_at is not None:
        neighbours_url = f"{request.path}?{urlencode({**params, 'part': 'neighbours'})}"
    thread = thread_page(client)
    return {
        **_composer_context(client, lead),
        "client": client,
        "phone": format_phone_international(client.phone),
        "lead": lead,
        "thread": thread,
        "query": urlencode(params),
        "tours": _tours() if lead is not None else [],
        "tour_form": TourInterestForm(initial={"tour": lead.tour_interest if lead else None}),
        "log_form": LogForm(),
        "neighbours_url": neighbours_url,
        "poll_cursor": thread.updated_cursor,
    }


@login_required
@require_GET
def conversation(request: HttpRequest, client_id: int) -> HttpResponse:
    """`/inbox/<client_id>/`: the whole history of the client, newest in view. Opening it as
    the assigned agent resets unread (SPEC §2)."""
    user = _user(request)
    client = client_for(user, client_id)
    if request.GET.get("part") == "neighbours":
        return _neighbours(request, client)
    conversation_mark_read(user=user, client_id=client.pk)
    return render(request, PAGE, _thread_context(request, client))


def _neighbours(request: HttpRequest, client: Client) -> JsonResponse:
    """The conversations above and below this one in the filtered list (Alt+K / Alt+J), as the
    links to go to; null at either end."""
    filters = _filters(request)
    above, below = inbox_neighbours(_user(request), filters, current_lead(client))
    query = urlencode(filters.query())
    suffix = f"?{query}" if query else ""

    def link(client_id: int | None) -> str | None:
        if client_id is None:
            return None
        return reverse("messaging:conversation", args=[client_id]) + suffix

    return JsonResponse({"prev": link(above), "next": link(below)})


@login_required
@require_GET
def conversation_history(request: HttpRequest, client_id: int) -> HttpResponse:
    """Older messages above the `before` cursor (loaded as the agent scrolls up)."""
    client = client_for(_user(request), client_id)
    thread = thread_page(client, before=request.GET.get("before"))
    return render(request, f"{PAGE}#history", {"client": client, "thread": thread})


@never_cache
@login_required
@require_GET
def conversation_changes(request: HttpRequest, client_id: int) -> HttpResponse:
    """Messages created or changed since `since` (new ones and moved ticks), to merge by id.
    The agent is looking at the thread, so what arrived is read."""
    user = _user(request)
    client = client_for(user, client_id)
    thread = thread_changes(client, since=request.GET.get("since"))
    if thread.items:
        conversation_mark_read(user=user, client_id=client.pk)
    expires = whatsapp_window_expires_at(client)
    response = render(request, f"{PAGE}#changes", {"client": client, "thread": thread})
    response["X-Cursor"] = thread.updated_cursor
    response["X-Window-Open"] = "1" if expires and timezone.now() < expires else "0"
    return response


@login_required
@require_GET
def conversation_composer(request: HttpRequest, client_id: int) -> HttpResponse:
    """The reply box inside the window, the template picker outside it."""
    client = client_for(_user(request), client_id)
    return render(request, f"{PAGE}#composer", _composer_context(client, current_lead(client)))


def _error_response(request: HttpRequest, part: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, f"{PAGE}#{part}", context, status=422)
    response["HX-Retarget"] = f"#{part}"
    response["HX-Reswap"] = "outerHTML"
    return response


def _message_response(request: HttpRequest, client: Client, comm: Communication) -> HttpResponse:
    thread = thread_changes(client, since=None, only=[comm.pk])
    response = render(request, f"{PAGE}#changes", {"client": client, "thread": thread})
    response["HX-Trigger"] = "inbox:sent"
    return response


def _errors_of(exc: ValidationError | DomainError) -> dict[str, list[str]]:
    if isinstance(exc, DomainError):
        return {exc.field or "__all__": [str(exc)]}
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _add_errors(form: Any, exc: ValidationError | DomainError, fallback: str) -> None:
    for name, messages in _errors_of(exc).items():
        if name in form.fields:
            target: str | None = name
        elif name == "__all__" or fallback not in form.fields:
            target = None
        else:
            target = fallback  # the service's name for the field the form calls otherwise
        for message in messages:
            form.add_error(target, message)
    if not form.errors:
        form.add_error(fallback if fallback in form.fields else None, str(exc))


@login_required
@require_POST
def conversation_send(request: HttpRequest, client_id: int) -> HttpResponse:
    """Free text inside the window; appears at once as pending."""
    user = _user(request)
    client = client_for(user, client_id)
    lead = current_lead(client)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            comm = page_actions.message_send_text(
                client=client, body=form.cleaned_data["body"], sent_by=user
            )
        except page_actions.WindowClosed as exc:
            return _error_response(
                request, "composer", _composer_context(client, lead, window_error=str(exc))
            )
        except (ValidationError, DomainError) as exc:
            _add_errors(form, exc, "body")
        else:
            return _message_response(request, client, comm)
    return _error_response(request, "composer", _composer_context(client, lead, reply_form=form))


def _template_of(request: HttpRequest, client: Client) -> WhatsAppTemplate:
    try:
        pk = int(request.POST.get("template") or request.GET.get("template") or "")
    except ValueError:
        raise Http404 from None
    template = WhatsAppTemplate.objects.filter(pk=pk, active=True).first()
    if template is None:
        raise Http404
    return template


@login_required
def conversation_template(request: HttpRequest, client_id: int) -> HttpResponse:
    """GET: the form of one template (a field per variable, known ones filled in, a preview).
    POST: send it; a missing value is refused beside its field."""
    user = _user(request)
    client = client_for(user, client_id)
    lead = current_lead(client)
    template = _template_of(request, client)
    known = template_known_values(client, lead)
    if request.method != "POST":
        form = TemplateForm(template=template, known=known)
        return render(request, f"{PAGE}#template_form", {"client": client, "form": form})
    form = TemplateForm(request.POST, template=template, known=known)
    if form.is_valid():
        try:
            comm = page_actions.message_send_template(
                client=client, template=template, variables=form.values(), sent_by=user
            )
        except (ValidationError, DomainError) as exc:
            _add_errors(form, exc, "var_1")
        else:
            return _message_response(request, client, comm)
    return _error_response(request, "template_form", {"client": client, "form": form})


@login_required
@require_POST
def conversation_retry(request: HttpRequest, client_id: int, communication_id: int) -> HttpResponse:
    """Send a failed message again, as a new message (the failed one stays, with its reason)."""
    user = _user(request)
    client = client_for(user, client_id)
    failed = communication_for(user, communication_id)
    if failed.client_id != client.pk or failed.whatsapp_status != WhatsAppStatus.FAILED:
        raise Http404
    try:
        if failed.message_type == "template" and failed.template is not None:
            values = ((failed.metadata or {}).get("template") or {}).get("values") or []
            comm = page_actions.message_send_template(
                client=client, template=failed.template, variables=values, sent_by=user
            )
        else:
            comm = page_actions.message_send_text(
                client=client, body=failed.body or "", sent_by=user
            )
    except (ValidationError, DomainError) as exc:
        return HttpResponse(
            "; ".join(m for ms in _errors_of(exc).values() for m in ms),
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    return _message_response(request, client, comm)


@login_required
@require_POST
def conversation_log(request: HttpRequest, client_id: int) -> HttpResponse:
    """Log a call, an email or an SMS with a note; it joins the thread."""
    user = _user(request)
    client = client_for(user, client_id)
    form = LogForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            comm = communication_log(
                client=client,
                sent_by=user,
                communication_type=data["communication_type"],
                direction=data["direction"],
                subject=data["subject"],
                body=data["note"],
            )
        except (ValidationError, DomainError) as exc:
            _add_errors(form, exc, "note")
        else:
            response = _message_response(request, client, comm)
            response["HX-Trigger"] = "inbox:logged"
            return response
    return _error_response(request, "log_form", {"client": client, "log_form": form})


@login_required
@require_POST
def conversation_tour(request: HttpRequest, client_id: int) -> HttpResponse:
    """Change the current lead's tour interest."""
    user = _user(request)
    client = client_for(user, client_id)
    lead = current_lead(client)
    if lead is None:
        raise Http404
    form = TourInterestForm(request.POST)
    if form.is_valid():
        try:
            lead = lead_update(lead=lead, actor=user, tour_interest=form.cleaned_data["tour"])
        except (ValidationError, DomainError) as exc:
            _add_errors(form, exc, "tour")
    lead = current_lead(client)
    status = 200 if form.is_valid() and not form.errors else 422
    return render(
        request,
        f"{PAGE}#tour_form",
        {
            "client": client,
            "lead": lead,
            "tour_form": form,
            "tours": _tours(),
        },
        status=status,
    )


# --- media ------------------------------------------------------------------------------------
def _storage_name(media_url: str) -> str:
    prefix = settings.MEDIA_URL or ""
    if prefix and media_url.startswith(prefix):
        return media_url[len(prefix) :]
    return media_url.lstrip("/")


@login_required
@require_GET
def media(request: HttpRequest, communication_id: int) -> HttpResponseBase:
    """A message's media file, with the conversation's permissions; never from a public folder.
    Only plain images, audio and video show inline; everything else downloads."""
    comm = communication_for(_user(request), communication_id)
    if not comm.media_url:
        raise Http404
    name = _storage_name(comm.media_url)
    if ".." in name.split("/") or not default_storage.exists(name):
        raise Http404
    mime = (comm.media_type or mimetypes.guess_type(name)[0] or "application/octet-stream").split(
        ";"
    )[0]
    inline = any(mime.startswith(kind) for kind in INLINE_MEDIA)
    filename = str((comm.metadata or {}).get("filename") or name.rsplit("/", 1)[-1])
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=not inline,
        filename=filename,
        content_type=mime if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def media_url(comm: Communication) -> str:
    return reverse("messaging:media", args=[comm.pk])
