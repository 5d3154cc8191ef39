# The customer list's indexes carry what a row shows too (accounts.models.LISTED: name,
# memo, lock state and type): a page's rows are read by one index-only scan, with no
# second query for the rows by id (customers.selectors.Window.rows).

from django.db import migrations, models

LISTED = ("path", "kind", "status", "id", "server", "name", "vos_memo", "vos_locked", "vos_type")
SHOWN = "path, kind, status, id, server_id, name, vos_memo, vos_locked, vos_type"
BEFORE = "path, kind, status, id, server_id"


def _balance_indexes(include: str) -> tuple[str, ...]:
    return (
        "CREATE INDEX IF NOT EXISTS tenant_by_balance ON accounts_tenant "
        f"(vos_money ASC NULLS LAST, vos_account) INCLUDE ({include})",
        "CREATE INDEX IF NOT EXISTS tenant_by_balance_desc ON accounts_tenant "
        f"(vos_money DESC NULLS LAST, vos_account) INCLUDE ({include})",
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
        ("accounts", "0013_listed_with_server"),
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
                fields=["name", "vos_account"],
                include=tuple(f for f in LISTED if f != "name"),
                name="tenant_by_name",
            ),
        ),
        migrations.RunPython(
            _rebuild(_balance_indexes(SHOWN)), _rebuild(_balance_indexes(BEFORE))
        ),
    ]
