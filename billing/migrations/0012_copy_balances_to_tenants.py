"""The tenants' copy of their last balance (accounts 0012 adds ``Tenant.vos_money``),
filled once from the readings kept so far; billing.money.readings keeps it current."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy(apps, schema_editor):
    Tenant = apps.get_model("accounts", "Tenant")
    BalanceReading = apps.get_model("billing", "BalanceReading")
    last = BalanceReading.objects.filter(
        server=OuterRef("server"), vos_account=OuterRef("vos_account")
    )
    Tenant.objects.exclude(vos_account="").filter(server__isnull=False).update(
        vos_money=Subquery(last.values("money")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_tenant_vos_money"),
        ("billing", "0011_words_export_headers"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
