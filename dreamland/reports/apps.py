from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "dreamland.reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dreamland.lib.changes import data_changed
        from dreamland.reports.freshness import on_data_changed

        data_changed.connect(on_data_changed, dispatch_uid="reports.freshness")
