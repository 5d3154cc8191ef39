"""The alert models move here from accounts: the tables stay where they are
(``db_table``), only Django's model state and the content types move."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ['alertsettings', 'alertstate', 'notification']


def move_content_types(apps, schema_editor):
    """Keep the content type rows (and the permissions and admin log entries that point
    at them) of the moved models: relabel them unless the new app's rows exist."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label="alerts", model=model).exists():
            content_type.objects.filter(app_label="accounts", model=model).update(
                app_label="alerts"
            )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ('accounts', '0008_alerts_and_servers_moved_out'),
        ('switch', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AlertSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('low_balance_threshold', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='warn when the balance falls below')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('tenant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='alert_settings', to='accounts.tenant', verbose_name='account')),
                    ],
                    options={
                        'verbose_name': 'alert settings',
                        'verbose_name_plural': 'alert settings',
                        'db_table': 'accounts_alertsettings',
                    },
                ),
                migrations.CreateModel(
                    name='AlertState',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('low_balance', 'Low balance'), ('alarm', 'Alarm raised'), ('unreachable', 'VOS server unreachable')], max_length=16)),
                        ('subject', models.CharField(blank=True, max_length=128)),
                        ('raised', models.BooleanField(default=False)),
                        ('strikes', models.PositiveIntegerField(default=0)),
                        ('raised_at', models.DateTimeField(blank=True, null=True)),
                        ('cleared_at', models.DateTimeField(blank=True, null=True)),
                        ('detail', models.JSONField(blank=True, default=dict)),
                        ('server', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver')),
                    ],
                    options={
                        'db_table': 'accounts_alertstate',
                        'constraints': [models.UniqueConstraint(fields=('kind', 'server', 'subject'), name='alert_state_one_per_subject')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('low_balance', 'Low balance'), ('alarm', 'Alarm raised'), ('unreachable', 'VOS server unreachable')], max_length=16)),
                        ('title', models.CharField(max_length=200)),
                        ('body', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('emailed_at', models.DateTimeField(blank=True, null=True)),
                        ('tenant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.tenant')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['user', 'read_at'], name='notification_user_unread')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
