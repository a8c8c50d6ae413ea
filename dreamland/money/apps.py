from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MoneyConfig(AppConfig):
    name = "dreamland.money"
    verbose_name = _("Money")
    default_auto_field = "django.db.models.BigAutoField"
