"""Per-server connection settings (issue 17): how endpoint names appear in the URL
("" as in the manual, ".jsp" on Tomcat deployments) and bounds on the timeouts. Existing
rows keep their base URL (address + context path) and get plain endpoint names."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('switch', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='vosserver',
            name='endpoint_suffix',
            field=models.CharField(blank=True, choices=[('', 'plain (…/server/GetCustomer)'), ('.jsp', '.jsp (…/server/GetCustomer.jsp)')], default='', max_length=8, verbose_name='endpoint names'),
        ),
        migrations.AlterField(
            model_name='vosserver',
            name='connect_timeout',
            field=models.FloatField(default=3.0, validators=[django.core.validators.MinValueValidator(0.1), django.core.validators.MaxValueValidator(60)], verbose_name='connect timeout (s)'),
        ),
        migrations.AlterField(
            model_name='vosserver',
            name='read_timeout',
            field=models.FloatField(default=15.0, validators=[django.core.validators.MinValueValidator(0.5), django.core.validators.MaxValueValidator(600)], verbose_name='read timeout (s)'),
        ),
    ]
