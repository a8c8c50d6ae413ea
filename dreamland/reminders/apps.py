from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """Reminders the scheduled job sends or flags once each: payment due, pre-departure, and
    inbound messages left unanswered (SPEC §2 "Reminders")."""

    name = "dreamland.reminders"
    verbose_name = _("Reminders")
    default_auto_field = "django.db.models.BigAutoField"
