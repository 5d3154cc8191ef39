"""When a successful top-up's receipt email went out (billing.money.receipts): claimed
by a conditional UPDATE before sending, so it is sent once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0007_nostall_in_flight_per_amount"),
    ]

    operations = [
        migrations.AddField(
            model_name="moneytransfer",
            name="receipt_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
