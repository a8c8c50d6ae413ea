from django.apps import AppConfig


class WhatsappConfig(AppConfig):
    name = "dreamland.whatsapp"
    label = "whatsapp"
    verbose_name = "WhatsApp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dreamland.lib.rq_tasks import worker_starting
        from dreamland.whatsapp.wakeup import start_listener

        # A Redis worker also listens for stored deliveries (PostgreSQL's NOTIFY).
        worker_starting.connect(start_listener, dispatch_uid="whatsapp-events-listener")
