"""PostgreSQL refuses UPDATE and DELETE on the audit table, whoever asks (the ORM, a
shell, raw SQL). SQLite has no such trigger: the model refuses there (see AuditEvent).

TRUNCATE is not refused: the test runner empties tables with it between tests.
"""

from django.db import migrations

TABLE = "accounts_auditevent"

CREATE_SQL = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP_SQL = f"""
DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_invitation_auditevent")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
