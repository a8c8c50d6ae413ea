from django.apps import AppConfig


class ToursConfig(AppConfig):
    name = "dreamland.tours"
    default_auto_field = "django.db.models.BigAutoField"
