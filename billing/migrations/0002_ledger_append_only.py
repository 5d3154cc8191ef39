"""PostgreSQL keeps the ledger append-only whoever writes (the ORM, a shell, raw SQL):
no DELETE; an entry's account, amount and transfer never change; its state only moves
forward (pending -> sent -> succeeded | failed | unknown; unknown -> succeeded | failed);
a transfer's key, amount, accounts and requester never change. SQLite relies on
``LedgerEntry.save``/``delete``.

TRUNCATE is not refused: the test runner empties tables with it between tests.
"""

from django.db import migrations

CREATE_SQL = """
CREATE OR REPLACE FUNCTION ledger_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: DELETE on % refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.amount <> OLD.amount OR NEW.vos_account <> OLD.vos_account
       OR NEW.transfer_id <> OLD.transfer_id OR NEW.server_id <> OLD.server_id
       OR NEW.leg <> OLD.leg OR NEW.seq <> OLD.seq THEN
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

CREATE OR REPLACE FUNCTION money_transfer_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.idempotency_key <> OLD.idempotency_key OR NEW.amount <> OLD.amount
       OR NEW.customer_id <> OLD.customer_id
       OR NEW.funded_by_id IS DISTINCT FROM OLD.funded_by_id
       OR NEW.requested_by_id <> OLD.requested_by_id OR NEW.kind <> OLD.kind THEN
        RAISE EXCEPTION 'a money transfer''s facts never change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON billing_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_delete();
CREATE TRIGGER money_transfer_no_delete BEFORE DELETE ON billing_moneytransfer
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_delete();
CREATE TRIGGER ledger_entry_forward_only BEFORE UPDATE ON billing_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard();
CREATE TRIGGER money_transfer_facts_fixed BEFORE UPDATE ON billing_moneytransfer
    FOR EACH ROW EXECUTE FUNCTION money_transfer_guard();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS ledger_entry_no_delete ON billing_ledgerentry;
DROP TRIGGER IF EXISTS money_transfer_no_delete ON billing_moneytransfer;
DROP TRIGGER IF EXISTS ledger_entry_forward_only ON billing_ledgerentry;
DROP TRIGGER IF EXISTS money_transfer_facts_fixed ON billing_moneytransfer;
DROP FUNCTION IF EXISTS ledger_refuse_delete();
DROP FUNCTION IF EXISTS ledger_entry_guard();
DROP FUNCTION IF EXISTS money_transfer_guard();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
