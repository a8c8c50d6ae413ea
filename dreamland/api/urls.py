from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path, resolve
from django.urls.exceptions import Resolver404
from django.views.decorators.csrf import csrf_exempt

from dreamland.api.api import api


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
    return api.create_response(request, {"detail": "Not found.", "code": "not_found"}, status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", slash_tolerant),
]
