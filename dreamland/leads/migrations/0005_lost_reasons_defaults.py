"""The lost reasons an agency starts with (editable afterwards at /settings/lost-reasons/)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULTS = [
    "Дорого",
    "Выбрал другого туроператора",
    "Не подошли даты",
    "Не отвечает",
    "Передумал",
    "Другое",
]


def add_defaults(apps: Any, schema_editor: Any) -> None:
    LostReason = apps.get_model("leads", "LostReason")
    for position, name in enumerate(DEFAULTS):
        LostReason.objects.get_or_create(name=name, defaults={"position": position})


def remove_defaults(apps: Any, schema_editor: Any) -> None:
    apps.get_model("leads", "LostReason").objects.filter(name__in=DEFAULTS, leads=None).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_leads_lost_reason")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
