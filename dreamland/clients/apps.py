from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "dreamland.clients"
    verbose_name = _("Clients")
    default_auto_field = "django.db.models.BigAutoField"
