from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffSettingsConfig(AppConfig):
    """The /settings/ pages and the few settings stored in the database (round-robin)."""

    name = "dreamland.staff_settings"
    verbose_name = _("Settings")
    default_auto_field = "django.db.models.BigAutoField"
