from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0005_lost_reasons_defaults"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                models.OrderBy(models.F("last_message_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="leads_last_msg_id_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("unread_messages_count__gt", 0)),
                fields=["assigned_agent", "unread_messages_count"],
                name="leads_unread_agent_idx",
            ),
        ),
    ]
