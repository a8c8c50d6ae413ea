from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo agency (`manage.py seed_demo`): data and loader, no models."""

    name = "dreamland.demo"
    verbose_name = _("Demo data")
