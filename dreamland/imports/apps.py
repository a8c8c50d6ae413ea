from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Client lists from spreadsheets: reading, preview, the batch import, its background job."""

    name = "dreamland.imports"
    label = "imports"
    verbose_name = _("Imports")
