"""Idempotency keys move here from brokerage.

The tables keep their names (Meta.db_table), so no row is copied: only Django's state
changes, and the content types follow the models (core.model_moves)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.model_moves import content_types_move

MOVED = ['idempotentrequest']


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('brokerage', '0006_payment_attempts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IdempotentRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('operation', models.CharField(max_length=40, verbose_name='operation')),
                        ('key', models.CharField(max_length=64, verbose_name='key')),
                        ('fingerprint', models.CharField(max_length=64, verbose_name='fingerprint of the request')),
                        ('result_id', models.BigIntegerField(null=True, verbose_name='result')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'idempotent request',
                        'verbose_name_plural': 'idempotent requests',
                        'db_table': 'brokerage_idempotentrequest',
                        'constraints': [models.UniqueConstraint(fields=('user', 'operation', 'key'), name='idempotent_request_once_per_caller')],
                    },
                ),
            ],
            database_operations=[
                content_types_move(from_app='brokerage', to_app='core', models=MOVED),
            ],
        ),
    ]
