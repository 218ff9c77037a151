"""Notifications to people move here from brokerage.

The tables keep their names (Meta.db_table), so no row is copied: only Django's state
changes, and the content types follow the models (core.model_moves)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.model_moves import content_types_move

MOVED = ['notification']


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('brokerage', '0006_payment_attempts'),
        ('members', '0007_membership_agreement'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=50, verbose_name='kind')),
                        ('subject_type', models.CharField(max_length=20)),
                        ('subject_id', models.PositiveBigIntegerField()),
                        ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'SMS'), ('in_app', 'In-app'), ('webhook', 'Webhook')], max_length=10, verbose_name='channel')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='body')),
                        ('link', models.CharField(blank=True, max_length=300)),
                        ('payload', models.JSONField(blank=True, default=dict)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('firm', models.ForeignKey(blank=True, help_text='For webhooks, which go to a firm rather than a person.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.firm')),
                        ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'brokerage_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='notification_pending'), models.Index(fields=['recipient', 'channel', '-created_at'], name='brokerage_n_recipie_16232d_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('recipient__isnull', False)), fields=('recipient', 'kind', 'subject_type', 'subject_id', 'channel'), name='notification_once_per_person'), models.UniqueConstraint(condition=models.Q(('recipient__isnull', True)), fields=('firm', 'kind', 'subject_type', 'subject_id', 'channel'), name='notification_once_per_firm'), models.CheckConstraint(condition=models.Q(('recipient__isnull', False), ('firm__isnull', False), _connector='OR'), name='notification_has_addressee')],
                    },
                ),
            ],
            database_operations=[
                content_types_move(from_app='brokerage', to_app='members', models=MOVED),
            ],
        ),
    ]
