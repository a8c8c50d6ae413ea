"""The settings pages (SPEC §5 "settings"): admins edit, managers read, agents get 403.

Each write calls its domain's service in one transaction — users through `accounts.services`,
templates through `messaging.services`, rates through `money.services` (the same import as
`manage.py import_rates`) — and a refusal comes back beside its field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dreamland.accounts.models import User
from dreamland.accounts.services import user_create, user_update
from dreamland.lib.admin import add_service_errors
from dreamland.lib.errors import DomainError
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.messaging.services import (
    template_create,
    template_placeholders,
    template_render,
    template_update,
    template_variables,
)
from dreamland.money.models import ExchangeRate
from dreamland.money.services import (
    RatesFileInvalid,
    exchange_rate_set,
    exchange_rates_import_nbk,
)
from dreamland.reminders.models import SENDING_KINDS, ReminderKind, ReminderSetting
from dreamland.reminders.selectors import reminder_settings
from dreamland.reminders.services import reminder_setting_save
from dreamland.staff_settings.forms import (
    PasswordResetForm,
    RateForm,
    RatesFileForm,
    ReminderSettingForm,
    RoundRobinForm,
    TemplateForm,
    UserCreateForm,
    UserEditForm,
    read_only,
)
from dreamland.staff_settings.selectors import round_robin_enabled
from dreamland.staff_settings.services import round_robin_set
from dreamland.tours.models import Tour
from dreamland.web.access import require_admin, require_manager

LOST_REASONS_PATH = "/settings/lost-reasons/"  # built by the sales pages
RATES_PER_PAGE = 50


def _reader(request: HttpRequest) -> User:
    """Managers and admins read the settings; agents get 403."""
    user = request.user
    assert isinstance(user, User)
    require_manager(user)
    return user


def _admin(request: HttpRequest) -> User:
    user = _reader(request)
    require_admin(user)
    return user


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def _save(form: Any, write: Callable[[], Any]) -> Any:
    """The service in one transaction; a refusal goes on the form (and None comes back)."""
    try:
        with transaction.atomic():
            return write()
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc)
        return None


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, invalid: bool = False
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context.setdefault("can_edit", user.is_admin)
    return render(request, template, context, status=422 if invalid else 200)


# --- the hub --------------------------------------------------------------------------------------


@login_required
def settings_home(request: HttpRequest) -> HttpResponse:
    _reader(request)
    users = User.objects.aggregate(total=Count("pk"), active=Count("pk", filter=Q(is_active=True)))
    templates = WhatsAppTemplate.objects.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(active=True))
    )
    return _render(
        request,
        "staff_settings/home.html",
        {
            "users": users,
            "templates": templates,
            "latest_rates": list(ExchangeRate.objects.order_by("-date", "currency")[:3]),
            "tours_count": Tour.objects.count(),
            "round_robin": round_robin_enabled(),
            "lost_reasons_path": LOST_REASONS_PATH,
        },
    )


@login_required
@require_POST
def round_robin_toggle(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = RoundRobinForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose on or off."), status=400)
    round_robin_set(enabled=form.cleaned_data["enabled"], actor=actor)
    if form.cleaned_data["enabled"]:
        messages.success(request, _("Round-robin assignment is on."))
    else:
        messages.success(request, _("Round-robin assignment is off."))
    return redirect("settings_home")


# --- users ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        require_admin(user)
        if form.is_valid():
            data = form.cleaned_data
            created = _save(
                form,
                lambda: user_create(
                    email=data["email"],
                    password=data["password2"],
                    name=data["name"],
                    role=data["role"],
                    preferred_language=data["preferred_language"],
                ),
            )
            if created is not None:
                messages.success(request, _("User %(name)s created.") % {"name": created.name})
                return redirect("settings_users")
    elif not user.is_admin:
        read_only(form)
    return _render(
        request,
        "staff_settings/users.html",
        {"users": User.objects.order_by("-is_active", "name", "pk"), "form": form},
        invalid=request.method == "POST",
    )


def _staff_member(pk: object) -> User:
    member = User.objects.filter(pk=_pk(pk)).first()
    if member is None:
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _reader(request)
    member = _staff_member(pk)
    form = UserEditForm(request.POST or None, user=member, actor=actor)
    password_form = PasswordResetForm(user=member)
    if request.method == "POST":
        require_admin(actor)
        if form.is_valid():
            changes = form.changed_values()
            if _save(form, lambda: user_update(user=member, **changes)) is not None:
                messages.success(request, _("Saved."))
                return redirect("settings_user", pk=member.pk)
    elif not actor.is_admin:
        read_only(form)
    return _render(
        request,
        "staff_settings/user_edit.html",
        {"member": member, "form": form, "password_form": password_form},
        invalid=request.method == "POST",
    )


@login_required
@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    member = _staff_member(pk)
    password_form = PasswordResetForm(request.POST, user=member)
    if password_form.is_valid():
        password = password_form.cleaned_data["password2"]
        if _save(password_form, lambda: user_update(user=member, password=password)) is not None:
            messages.success(request, _("New password set for %(name)s.") % {"name": member.name})
            return redirect("settings_user", pk=member.pk)
    return _render(
        request,
        "staff_settings/user_edit.html",
        {
            "member": member,
            "form": UserEditForm(user=member, actor=actor),
            "password_form": password_form,
        },
        invalid=True,
    )


# --- WhatsApp templates ---------------------------------------------------------------------------


def _template_initial(template: WhatsAppTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "content": template.content,
        "variables": ", ".join(template_variables(template)),
        "active": bool(template.active),
    }


def _preview(data: Mapping[str, Any]) -> str:
    """The text with each placeholder shown as [its variable name] (or [n] when unnamed)."""
    content = str(data.get("content") or "")
    names = [n.strip() for n in str(data.get("variables") or "").split(",") if n.strip()]
    draft = WhatsAppTemplate(content=content)
    values = {str(n): f"[{n}]" for n in template_placeholders(content)}
    values.update({str(i + 1): f"[{name}]" for i, name in enumerate(names)})
    return template_render(draft, values)


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    templates = list(WhatsAppTemplate.objects.order_by("name", "language"))
    for template in templates:
        template.variable_names = template_variables(template)  # type: ignore[attr-defined]
    return _render(request, "staff_settings/templates.html", {"templates": templates})


@login_required
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    require_admin(user)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(form, lambda: template_create(**data)) is not None:
            messages.success(request, _("Template %(name)s saved.") % {"name": data["name"]})
            return redirect("settings_templates")
    return _render(
        request,
        "staff_settings/template_form.html",
        {"form": form, "template": None, "preview": _preview(form.data or form.initial)},
        invalid=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    template = WhatsAppTemplate.objects.filter(pk=_pk(pk)).first()
    if template is None:
        raise Http404
    initial = _template_initial(template)
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_admin(user)
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if _save(form, lambda: template_update(template=template, **changes)) is not None:
                messages.success(request, _("Template %(name)s saved.") % {"name": template.name})
                return redirect("settings_templates")
    elif not user.is_admin:
        read_only(form)
    return _render(
        request,
        "staff_settings/template_form.html",
        {
            "form": form,
            "template": template,
            "preview": _preview(request.POST if request.method == "POST" else initial),
        },
        invalid=request.method == "POST",
    )


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """The live preview (htmx, as the admin types): writes nothing."""
    _reader(request)
    return render(
        request, "staff_settings/template_form.html#preview", {"preview": _preview(request.POST)}
    )


# --- exchange rates -------------------------------------------------------------------------------


def _plain(rate: Decimal) -> str:
    """590.120000 as 590.12, 500.000000 as 500 (no exponent)."""
    return format(rate.normalize(), "f")


@login_required
@require_http_methods(["GET", "POST"])
def rate_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form, upload = RateForm(), RatesFileForm()
    if request.method == "POST":
        require_admin(user)
        if "file" in request.FILES or request.POST.get("action") == "upload":
            upload = RatesFileForm(request.POST, request.FILES)
            if upload.is_valid():
                content = upload.cleaned_data["file"]
                try:
                    rates = exchange_rates_import_nbk(content=content)  # atomic, all or nothing
                except RatesFileInvalid as exc:
                    upload.add_error("file", exc.message)  # what is wrong with the file
                else:
                    messages.success(
                        request,
                        _("Imported %(count)s rate(s): %(rates)s.")
                        % {
                            "count": len(rates),
                            "rates": ", ".join(
                                f"{r.currency} {_plain(r.rate)} ({r.date})" for r in rates
                            ),
                        },
                    )
                    return redirect("settings_rates")
        else:
            form = RateForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                saved = _save(
                    form,
                    lambda: exchange_rate_set(
                        currency=data["currency"], on_date=data["on_date"], rate=data["rate"]
                    ),
                )
                if saved is not None:
                    messages.success(
                        request,
                        _("Rate saved: %(rate)s.")
                        % {"rate": f"1 {saved.currency} = {_plain(saved.rate)} KZT ({saved.date})"},
                    )
                    return redirect("settings_rates")
    elif not user.is_admin:
        read_only(form)
        read_only(upload)
    page = Paginator(ExchangeRate.objects.order_by("-date", "currency"), RATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for rate in page:
        rate.shown = _plain(rate.rate)  # type: ignore[attr-defined]
    return _render(
        request,
        "staff_settings/rates.html",
        {"form": form, "upload": upload, "page": page},
        invalid=request.method == "POST",
    )


# --- tour aliases ---------------------------------------------------------------------------------


@login_required
def tour_aliases(request: HttpRequest) -> HttpResponse:
    """Which names find each tour in a first message; edited on the tour's form (managers too)."""
    user = _reader(request)
    tours = list(Tour.objects.order_by("name", "pk"))
    return _render(
        request,
        "staff_settings/tour_aliases.html",
        {
            "tours": tours,
            # The aliases column arrives with the inbox branch; until then the page lists the
            # tours and links to their forms.
            "has_aliases": any(f.name == "aliases" for f in Tour._meta.get_fields()),
            "can_edit": user.is_manager,
        },
    )


# --- reminders ------------------------------------------------------------------------------------


def _reminder_form(setting: ReminderSetting, data: Any = None) -> ReminderSettingForm:
    sending = setting.kind in SENDING_KINDS
    initial: dict[str, Any] = {"enabled": setting.enabled, "offset": setting.offset}
    if sending:
        initial["template"] = setting.template_id
    else:
        initial.update(
            work_days=list(setting.work_days),
            work_start=setting.work_start,
            work_end=setting.work_end,
        )
    return ReminderSettingForm(data, kind=setting.kind, sending=sending, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def reminders(request: HttpRequest) -> HttpResponse:
    """`/settings/reminders/`: each reminder's on/off, when, and template or working hours."""
    user = _reader(request)
    stored = reminder_settings()
    forms = {kind: _reminder_form(setting) for kind, setting in stored.items()}
    invalid = False
    if request.method == "POST":
        require_admin(user)
        kind = request.POST.get("kind", "")
        if kind not in forms:
            return HttpResponse(_("Unknown reminder."), status=400)
        form = forms[kind] = _reminder_form(stored[kind], request.POST)
        if form.is_valid():
            values = form.values()
            saved = _save(form, lambda: reminder_setting_save(kind=kind, actor=user, **values))
            if saved is not None:
                messages.success(
                    request, _("%(reminder)s saved.") % {"reminder": saved.get_kind_display()}
                )
                return redirect(f"{request.path}#{kind}")
        invalid = True
    if not user.is_admin:
        for form in forms.values():
            read_only(form)
    cards = [
        {
            "kind": kind,
            "setting": stored[kind],
            "form": forms[kind],
            "sending": kind in SENDING_KINDS,
        }
        for kind in ReminderKind.values
    ]
    return _render(
        request,
        "staff_settings/reminders.html",
        {"cards": cards, "has_templates": WhatsAppTemplate.objects.filter(active=True).exists()},
        invalid=invalid,
    )
