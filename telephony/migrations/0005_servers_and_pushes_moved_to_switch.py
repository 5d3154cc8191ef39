"""State only: VosServer and PushInbox now belong to the switch app; no table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_alerts_and_servers_moved_out'),
        ('billing', '0004_servers_moved_to_switch'),
        ('switch', '0001_initial'),
        ('telephony', '0004_merge_console_and_live_state'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='livecall',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='limitede164group',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='phoneregistration',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='dtmfrule',
                    name='server',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver', verbose_name='VOS server'),
                ),
                migrations.AlterField(
                    model_name='livepoll',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='currentalarm',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver'),
                ),
                migrations.AlterField(
                    model_name='mediablockip',
                    name='server',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='switch.vosserver'),
                ),
                migrations.DeleteModel(
                    name='PushInbox',
                ),
                migrations.DeleteModel(
                    name='VosServer',
                ),
            ],
            database_operations=[],
        ),
    ]
