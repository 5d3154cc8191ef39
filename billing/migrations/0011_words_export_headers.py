"""A CDR export writes words (column names and codes in the requester's language) unless
its requester asked for the raw field names and codes, for scripts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0010_transfer_kinds")]

    operations = [
        migrations.AddField(
            model_name="cdrexport",
            name="raw",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="cdrexport",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
