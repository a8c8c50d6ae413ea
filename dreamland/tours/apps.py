from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToursConfig(AppConfig):
    name = "dreamland.tours"
    verbose_name = _("Tours")
    default_auto_field = "django.db.models.BigAutoField"
