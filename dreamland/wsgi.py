"""WSGI entry point: `gunicorn dreamland.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dreamland.settings")
application = get_wsgi_application()
