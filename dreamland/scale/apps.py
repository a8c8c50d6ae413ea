from __future__ import annotations

from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """The scale data set (`manage.py seed_scale`) and what `make bench` times pages with."""

    name = "dreamland.scale"
    verbose_name = "Scale"
