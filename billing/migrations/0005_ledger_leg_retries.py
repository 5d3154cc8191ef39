"""A leg that reconciliation proves absent from VOS may be tried again as a new leg:
each leg gets its own key, its attempt number, the leg it retries, the proof, and what
reconciliation found (apart from the leg's own error). On PostgreSQL the key joins the
facts the trigger keeps fixed."""

import django.db.models.deletion
from django.db import migrations, models

GUARD_SQL = """
CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.amount <> OLD.amount OR NEW.vos_account <> OLD.vos_account
       OR NEW.transfer_id <> OLD.transfer_id OR NEW.server_id <> OLD.server_id
       OR NEW.leg <> OLD.leg OR NEW.seq <> OLD.seq OR NEW.key <> OLD.key
       OR NEW.retry_of_id IS DISTINCT FROM OLD.retry_of_id THEN
        RAISE EXCEPTION 'a ledger entry''s facts never change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.state <> OLD.state AND NOT (
        (OLD.state = 'pending' AND NEW.state IN ('sent', 'failed')) OR
        (OLD.state = 'sent' AND NEW.state IN ('succeeded', 'failed', 'unknown')) OR
        (OLD.state = 'unknown' AND NEW.state IN ('succeeded', 'failed'))
    ) THEN
        RAISE EXCEPTION 'a ledger entry cannot go from % to %', OLD.state, NEW.state
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

OLD_GUARD_SQL = GUARD_SQL.replace(
    " OR NEW.key <> OLD.key\n       OR NEW.retry_of_id IS DISTINCT FROM OLD.retry_of_id", ""
)


def guard_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


def unguard_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_GUARD_SQL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_alerts_and_servers_moved_out'),
        ('billing', '0004_servers_moved_to_switch'),
        ('switch', '0002_connection_settings'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerentry',
            name='attempt',
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='finding',
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='key',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='proven_absent',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='retry_of',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='retry', to='billing.ledgerentry'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('key',), name='ledger_entry_key_unique'),
        ),
        migrations.RunPython(guard_key, unguard_key),
    ]
