"""State only: the alert models now belong to the alerts app and VosServer to the switch
app; no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_alerts_states_and_notifications'),
        ('switch', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='alertstate',
                    name='server',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='tenant',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='user',
                ),
                migrations.AlterField(
                    model_name='tenant',
                    name='server',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tenants', to='switch.vosserver'),
                ),
                migrations.DeleteModel(
                    name='AlertSettings',
                ),
                migrations.DeleteModel(
                    name='AlertState',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
            ],
            database_operations=[],
        ),
    ]
