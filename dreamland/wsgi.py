"""WSGI entry point: `gunicorn dreamland.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dreamland.settings")
application = get_wsgi_application()


def _import_the_urlconf() -> None:
    """Import the URLconf (and the views, forms and API schemas it names: django-ninja builds
    its pydantic models at import) as the server process starts, not in its first request,
    which took 1.6 s and, under load, held up the requests queued behind it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (the property imports)


_import_the_urlconf()
