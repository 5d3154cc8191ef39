# The customer list's indexes carry the server too (accounts.models.LISTED): a page's
# accounts and their servers are read by an index-only scan, and its VOS read starts
# before its rows are loaded (customers.selectors.Window.heads).

from django.db import migrations, models

LISTED = ("path", "kind", "status", "id", "server")

BALANCE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS tenant_by_balance ON accounts_tenant "
    "(vos_money ASC NULLS LAST, vos_account) INCLUDE (path, kind, status, id, server_id)",
    "CREATE INDEX IF NOT EXISTS tenant_by_balance_desc ON accounts_tenant "
    "(vos_money DESC NULLS LAST, vos_account) INCLUDE (path, kind, status, id, server_id)",
)
BALANCE_INDEXES_BEFORE = (
    "CREATE INDEX IF NOT EXISTS tenant_by_balance ON accounts_tenant "
    "(vos_money ASC NULLS LAST, vos_account) INCLUDE (path, kind, status, id)",
    "CREATE INDEX IF NOT EXISTS tenant_by_balance_desc ON accounts_tenant "
    "(vos_money DESC NULLS LAST, vos_account) INCLUDE (path, kind, status, id)",
)


def _rebuild(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":  # SQLite has none of these
            schema_editor.execute("DROP INDEX IF EXISTS tenant_by_balance")
            schema_editor.execute("DROP INDEX IF EXISTS tenant_by_balance_desc")
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_tenant_vos_money"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="tenant", name="tenant_by_account"),
        migrations.RemoveIndex(model_name="tenant", name="tenant_by_name"),
        migrations.AddIndex(
            model_name="tenant",
            index=models.Index(fields=["vos_account"], include=LISTED, name="tenant_by_account"),
        ),
        migrations.AddIndex(
            model_name="tenant",
            index=models.Index(
                fields=["name", "vos_account"], include=LISTED, name="tenant_by_name"
            ),
        ),
        migrations.RunPython(_rebuild(BALANCE_INDEXES), _rebuild(BALANCE_INDEXES_BEFORE)),
    ]
