"""State only: VosServer now belongs to the switch app; no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0003_cdrs'),
        ('switch', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='balancereading',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='cdr',
                    name='server',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='cdrpullday',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='cdrpulljob',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='ledgerentry',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='moneytransfer',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='reportjob',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
            ],
            database_operations=[],
        ),
    ]
