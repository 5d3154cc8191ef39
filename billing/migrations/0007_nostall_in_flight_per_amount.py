"""Calls in flight on one VOS account need only differ in amount (no longer one call at
a time per account): VOS's pay history tells rows apart by amount and time, so an
unanswered call is matched by its amount. A claimed pay-history row is its account, time
and amount. A transfer remembers when one of its legs first waited for its account."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0006_reverse_reversal"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='ledgerentry',
            name='ledger_one_in_flight_per_account',
        ),
        migrations.RemoveConstraint(
            model_name='ledgerentry',
            name='ledger_pay_row_claimed_once',
        ),
        migrations.AddField(
            model_name='moneytransfer',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('state__in', ['pending', 'sent', 'unknown'])), fields=('server', 'vos_account', 'amount'), name='ledger_one_in_flight_per_amount'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('vos_pay_time__isnull', False)), fields=('server', 'vos_account', 'vos_pay_time', 'amount'), name='ledger_pay_row_claimed_once'),
        ),
    ]
