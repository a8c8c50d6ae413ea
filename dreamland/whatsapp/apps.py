from django.apps import AppConfig


class WhatsappConfig(AppConfig):
    name = "dreamland.whatsapp"
    label = "whatsapp"
    verbose_name = "WhatsApp"
    default_auto_field = "django.db.models.BigAutoField"
