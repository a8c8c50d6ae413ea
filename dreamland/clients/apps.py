from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "dreamland.clients"
    default_auto_field = "django.db.models.BigAutoField"
