"""The shell's pages: login, logout, the front door, the language switch."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from dreamland.accounts.models import User
from dreamland.accounts.services import user_update
from dreamland.web.forms import LanguageForm, LoginForm

HOME = "/inbox/"


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return HOME


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request, request.GET.get("next")))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        login(request, form.user, backend="dreamland.accounts.backends.LockoutModelBackend")
        return redirect(_safe_next(request, request.POST.get("next")))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/login.html",
        {"form": form, "next": request.GET.get("next") or request.POST.get("next", "")},
        status=status,
    )


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(HOME)


@login_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Save the user's `preferred_language` and come back to the page they were on."""
    form = LanguageForm(request.POST)
    target = _safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        return HttpResponse(status=400)
    user = request.user
    assert isinstance(user, User)
    user_update(user=user, preferred_language=form.cleaned_data["language"])
    translation.activate(form.cleaned_data["language"])
    return HttpResponseRedirect(target)
