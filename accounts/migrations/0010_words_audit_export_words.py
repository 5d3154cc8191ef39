"""An audit export writes words (column names, what each event did) in the requester's
language unless its requester asked for the raw field names, for scripts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_language_names_in_their_own_words")]

    operations = [
        migrations.AddField(
            model_name="auditexport",
            name="raw",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="auditexport",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
