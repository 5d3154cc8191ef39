"""VosServer and PushInbox move here from telephony: the tables stay where they are
(``db_table``), only Django's model state and the content types move."""

import django.db.models.deletion
from django.db import migrations, models

import switch.models

MOVED = ['vosserver', 'pushinbox']


def move_content_types(apps, schema_editor):
    """Keep the content type rows (and the permissions and admin log entries that point
    at them) of the moved models: relabel them unless the new app's rows exist."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label="switch", model=model).exists():
            content_type.objects.filter(app_label="telephony", model=model).update(
                app_label="switch"
            )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("telephony", "0004_merge_console_and_live_state"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='VosServer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.SlugField(unique=True, verbose_name='name')),
                        ('base_url', models.CharField(max_length=500, validators=[switch.models.validate_vos_base_url], verbose_name='base URL')),
                        ('connect_timeout', models.FloatField(default=3.0, verbose_name='connect timeout (s)')),
                        ('read_timeout', models.FloatField(default=15.0, verbose_name='read timeout (s)')),
                        ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                        ('push_token', models.CharField(blank=True, help_text="Secret part of this server's push address; empty: VOS_PUSH_TOKEN.", max_length=128, verbose_name='push token')),
                        ('push_source_ips', models.CharField(blank=True, help_text='IP addresses or networks (CIDR), separated by spaces or commas, that VOS pushes come from; empty: the address of the base URL when it is an IP.', max_length=500, verbose_name='push source addresses')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'VOS server',
                        'verbose_name_plural': 'VOS servers',
                        'db_table': 'telephony_vosserver',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='PushInbox',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=40)),
                        ('payload', models.JSONField()),
                        ('dedupe_key', models.CharField(max_length=64)),
                        ('received_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('processed_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('error', models.CharField(blank=True, max_length=255)),
                        ('answer', models.JSONField(blank=True, null=True)),
                        ('server', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='switch.vosserver')),
                    ],
                    options={
                        'db_table': 'telephony_pushinbox',
                        'ordering': ['pk'],
                        'indexes': [models.Index(fields=['processed_at', 'id'], name='push_inbox_pending')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('processed_at__isnull', True)), fields=('server', 'dedupe_key'), name='push_inbox_pending_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
