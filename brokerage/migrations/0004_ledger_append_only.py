"""Make the ledger append-only and balanced in the database itself (PostgreSQL only).

The models already refuse updates and deletes, but anything that talks to the database
directly (a shell, a script, a future bug) must not be able to rewrite money history
either. On SQLite, used only for `make run` without a server, these are no-ops.
"""

from django.db import migrations

from core.postgres_operations import PostgresOnlyRunSQL

APPEND_ONLY_TABLES = [
    "brokerage_ledgerposting",
    "brokerage_ledgerentry",
    "brokerage_allocation",
    "brokerage_payment",
    "brokerage_refund",
    "brokerage_faultclaim",
    "brokerage_invoice",
]

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION brokerage_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused; post a reversing entry instead',
            TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {table}_append_only
        BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION brokerage_refuse_change();
        """
        for table in APPEND_ONLY_TABLES
    ),
    # Checked at commit, once every line of the posting is in: debits equal credits.
    """
    CREATE OR REPLACE FUNCTION brokerage_check_posting_balanced() RETURNS trigger AS $$
    DECLARE
        difference bigint;
    BEGIN
        SELECT COALESCE(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0)
        INTO difference
        FROM brokerage_ledgerentry
        WHERE posting_id = NEW.posting_id;
        IF difference <> 0 THEN
            RAISE EXCEPTION 'ledger posting % does not balance: debits - credits = %',
                NEW.posting_id, difference
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE CONSTRAINT TRIGGER brokerage_ledgerentry_balanced
    AFTER INSERT ON brokerage_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION brokerage_check_posting_balanced();
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS brokerage_ledgerentry_balanced ON brokerage_ledgerentry;",
    "DROP FUNCTION IF EXISTS brokerage_check_posting_balanced();",
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in APPEND_ONLY_TABLES),
    "DROP FUNCTION IF EXISTS brokerage_refuse_change();",
]


class Migration(migrations.Migration):
    dependencies = [("brokerage", "0003_money")]

    operations = [PostgresOnlyRunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
