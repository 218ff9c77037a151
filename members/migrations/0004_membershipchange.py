"""The history of who changed which membership, append-only in the database (PostgreSQL).

The model refuses edits and deletes; the trigger refuses them whoever connects. On
SQLite, used only for `make run` without a server, the trigger is a no-op.
"""

import django.db.models.deletion
import members.models
from django.conf import settings
from django.db import migrations, models

from core.postgres_operations import PostgresOnlyRunSQL


FORWARD = [
    """
    CREATE OR REPLACE FUNCTION members_membershipchange_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused; record a new change instead',
            TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER members_membershipchange_append_only
    BEFORE UPDATE OR DELETE ON members_membershipchange
    FOR EACH ROW EXECUTE FUNCTION members_membershipchange_refuse_change();
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS members_membershipchange_append_only ON members_membershipchange;",
    "DROP FUNCTION IF EXISTS members_membershipchange_refuse_change();",
]


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_firm_directory_order_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='MembershipChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('joined', 'Joined the network'), ('changed', 'Role, group or activity changed'), ('nda_signed', 'NDA signed')], max_length=16, verbose_name='kind')),
                ('before', models.JSONField(blank=True, default=dict, verbose_name='before')),
                ('after', models.JSONField(blank=True, default=dict, verbose_name='after')),
                ('at', models.DateTimeField(db_index=True, default=members.models.change_time, verbose_name='at')),
                ('actor', models.ForeignKey(blank=True, help_text='Empty when a command or the platform made the change.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('membership', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='changes', to='members.membership')),
                ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='membership_changes', to='members.network')),
            ],
            options={
                'verbose_name': 'membership change',
                'verbose_name_plural': 'membership changes',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['network', '-at'], name='members_mem_network_55104c_idx')],
            },
        ),
        PostgresOnlyRunSQL(sql=FORWARD, reverse_sql=BACKWARD),
    ]
