from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "dreamland.leads"
    default_auto_field = "django.db.models.BigAutoField"
