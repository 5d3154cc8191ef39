"""Taking money back (issue 15): the reversal kind, its three legs (debit the customer,
credit the reseller, refund the customer), the top-up a take-back corrects, and amounts
to VOS's 1/10000 (a whole balance returned before a delete has four decimals)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0005_ledger_leg_retries'),
    ]

    operations = [
        migrations.AddField(
            model_name='moneytransfer',
            name='corrects',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='billing.moneytransfer'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='amount',
            field=models.DecimalField(decimal_places=4, max_digits=16),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='leg',
            field=models.CharField(choices=[('credit', 'Credit customer'), ('debit_funder', 'Debit reseller'), ('refund_funder', 'Refund reseller'), ('adjust', 'Adjustment'), ('pin', 'Phone card'), ('debit_customer', 'Debit customer'), ('credit_funder', 'Credit reseller'), ('refund_customer', 'Refund customer')], max_length=16),
        ),
        migrations.AlterField(
            model_name='moneytransfer',
            name='amount',
            field=models.DecimalField(decimal_places=4, max_digits=16),
        ),
        migrations.AlterField(
            model_name='moneytransfer',
            name='kind',
            field=models.CharField(choices=[('topup', 'Top-up'), ('adjustment', 'Adjustment'), ('pin_topup', 'Phone card top-up'), ('reversal', 'Money taken back')], max_length=16),
        ),
    ]
