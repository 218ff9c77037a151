"""Make the timeline append-only in the database itself (PostgreSQL only).

Events are the audit trail: who did what, when and why. The model refuses updates and
deletes; this trigger refuses them whoever connects (a shell, a script, a future bug).
An event's time is therefore set when it is written (`at` defaults to now, and records
that came in earlier pass theirs), and the person who acted is protected from deletion.
On SQLite, used only for `make run` without a server, the trigger is a no-op.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import orders.models.orders

from core.postgres_operations import PostgresOnlyRunSQL

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION orders_event_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused; record a new event instead',
            TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER orders_event_append_only
    BEFORE UPDATE OR DELETE ON orders_event
    FOR EACH ROW EXECUTE FUNCTION orders_event_refuse_change();
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS orders_event_append_only ON orders_event;",
    "DROP FUNCTION IF EXISTS orders_event_refuse_change();",
]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_rfq_newest_first_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when the platform acted on its own, e.g. a deadline.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=orders.models.orders.event_time, verbose_name="at"
            ),
        ),
        PostgresOnlyRunSQL(sql=FORWARD, reverse_sql=BACKWARD),
    ]
