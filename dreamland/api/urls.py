"""/api/v1 routes: ninja's, wrapped so every answer is JSON, plus optional trailing slashes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path, resolve
from django.urls.exceptions import Resolver404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from dreamland.api.api import api


def _api_language(request: HttpRequest) -> AbstractContextManager[Any]:
    """Messages are English unless the caller sends `Accept-Language` (the site's default is ru;
    with the header, LocaleMiddleware has already picked the language)."""
    if request.headers.get("Accept-Language"):
        return nullcontext()
    return translation.override("en")


def _not_found(request: HttpRequest) -> HttpResponse:
    body = {"detail": _("Not found."), "code": "not_found"}
    return api.create_response(request, body, status=404)


def _json_answers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method, and its bare root raises 404, as HTML: make those JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with _api_language(request):
            response = _answer_in_json(view, request, *args, **kwargs)
            response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response

    return wrapped


def _answer_in_json(
    view: Callable[..., HttpResponse], request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponse:
    try:
        response = view(request, *args, **kwargs)
    except Http404:
        return _not_found(request)
    except RequestDataTooBig:
        body = {"detail": _("The request body is too large."), "code": "body_too_large"}
        return api.create_response(request, body, status=413)
    if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
        allowed = response.get("Allow", "")
        detail = _("Method %(method)s is not allowed here; allowed: %(allowed)s.") % {
            "method": request.method,
            "allowed": allowed,
        }
        body = {"detail": detail, "code": "method_not_allowed"}
        json_response = api.create_response(request, body, status=405)
        json_response["Allow"] = allowed
        return json_response
    return response


@csrf_exempt
def slash_tolerant(request: HttpRequest, rest: str = "") -> HttpResponse:
    """`/clients/` answers like `/clients` (served in place: a redirect would drop a POST body);
    anything else under /api/v1 is a JSON 404, not Django's HTML page."""
    if request.path_info.endswith("/"):
        stripped = request.path_info.rstrip("/")
        try:
            match = resolve(stripped)
        except Resolver404:
            match = None
        if match is not None and match.func is not slash_tolerant:
            request.path_info = stripped
            request.path = request.path.rstrip("/")
            request.resolver_match = match
            response: HttpResponse = match.func(request, *match.args, **match.kwargs)
            return response
    with _api_language(request):
        return _not_found(request)


def _ninja_patterns() -> tuple[list[Any], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_answers(pattern.callback)
    return patterns, app_name, namespace


urlpatterns: list[URLPattern | URLResolver] = [
    path("", _ninja_patterns()),
    re_path(r"^(?P<rest>.*)$", slash_tolerant),
]
