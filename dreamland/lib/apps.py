from django.apps import AppConfig


class LibConfig(AppConfig):
    """Shared helpers; an app only so its management commands (rq_worker) are found."""

    name = "dreamland.lib"
    label = "lib"
