from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "dreamland.leads"
    verbose_name = _("Leads")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dreamland.leads.board import on_leads_changed
        from dreamland.lib.changes import data_changed

        data_changed.connect(on_leads_changed, dispatch_uid="leads.board")
