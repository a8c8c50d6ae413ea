"""Fill `first_inbound_at` / `first_response_at` of the existing leads from their messages.

Non-atomic: on PostgreSQL the leads are vacuumed afterwards: the rewrite of every row left a
dead version of each, and the index-only scans of the leads' indexes (the inbox's, the unread
totals') need the visibility map it cleared.
"""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    from dreamland.leads.first_messages import first_messages_backfill

    first_messages_backfill(
        apps.get_model("leads", "Lead").objects.all(),
        apps.get_model("messaging", "Communication").objects.all(),
    )
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) leads")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("leads", "0008_leads_first_message_times"),
        ("messaging", "0005_communications_lead_dir_idx"),  # the backfill's lookups
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
