"""The app's URLs plus `/bench/bare/`, a view returning a constant: the floor a page is compared
with (Django's middleware and routing, no query). Only `bench/scale_pages.py` serves these, via
`dreamland.scale.bench_settings`; the real site never routes it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from dreamland.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
