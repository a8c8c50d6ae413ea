from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_communications_lead_dir_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="communication",
            index=models.Index(
                condition=models.Q(("message_type", "reaction")),
                fields=["reply_to_message_id"],
                name="communications_reaction_to_idx",
            ),
        ),
    ]
