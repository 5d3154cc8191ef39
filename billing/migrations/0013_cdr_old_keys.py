"""``CdrOldKeys``: the rows stored so far may carry an older portal's whole-record key;
rows stored from now on carry the key made without JSON (``billing.cdrs.store``).

Run with the workers stopped (as every migration): a worker of the older portal still
pulling after it would store rows under the old key above the recorded id."""

from django.db import migrations, models
from django.db.models import Max


def record_last_id(apps, schema_editor):
    Cdr = apps.get_model("billing", "Cdr")
    CdrOldKeys = apps.get_model("billing", "CdrOldKeys")
    last_id = Cdr.objects.aggregate(last=Max("id"))["last"] or 0
    CdrOldKeys.objects.update_or_create(pk=1, defaults={"last_id": last_id})


class Migration(migrations.Migration):
    dependencies = [("billing", "0012_copy_balances_to_tenants")]

    operations = [
        migrations.CreateModel(
            name="CdrOldKeys",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_id", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "CDR keys of an older portal"},
        ),
        migrations.RunPython(record_last_id, migrations.RunPython.noop),
    ]
