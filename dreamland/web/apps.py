from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The agents' workplace shell: login, the base layout, navigation, assets, access helpers."""

    name = "dreamland.web"
    label = "web"
    verbose_name = _("Workplace")
