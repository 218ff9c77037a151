"""The networks whose directories list each firm, kept on the firm by the database.

A network's directory lists its active members other than its office, while they are
active firms. Asking that of Membership joins a hundred thousand memberships to as many
firms for every count and every page; so each firm carries `directory_network_ids`, the
networks where it has an active, non-office membership, and the directory's name indexes
carry that column (INCLUDE), so that a count or a deep page is one walk of one index.

The column is derived data and not a Django field (Django never writes it, so a firm saved
from a stale copy cannot undo it): statement-level triggers on Membership recompute it for
every firm a statement touched (inserts, updates, deletes, COPY, cascades), and TRUNCATE
empties it. A refresh locks the firm rows first, so that when two transactions change the
memberships of one firm the later refresh waits and then reads both (READ COMMITTED).
Whether a network is public is read from the network when the directory is asked for.

PostgreSQL only: on SQLite (`make run` without a server) this does nothing and the
directory asks Membership (members.selectors.firm_list_public).
"""

from django.db import migrations

from core.postgres_operations import PostgresOnlyRunSQL

COLUMN = "directory_network_ids"
REFRESH = "members_firm_directory_refresh"
NAME_COLUMNS = ("name_ja", "name_en")

FORWARD = [
    f"ALTER TABLE members_firm ADD COLUMN {COLUMN} bigint[] NOT NULL DEFAULT '{{}}';",
    f"""
    CREATE FUNCTION {REFRESH}(changed bigint[]) RETURNS void
    SET jit = off
    SET plan_cache_mode = force_custom_plan
    AS $$
    BEGIN
        IF changed IS NULL OR cardinality(changed) = 0 THEN
            RETURN;
        END IF;
        -- One refresh per firm at a time: a concurrent writer of the same firm waits here
        -- for this transaction to end, then (a new statement, a new snapshot) reads both.
        PERFORM 1 FROM members_firm WHERE id = ANY(changed) ORDER BY id FOR NO KEY UPDATE;
        UPDATE members_firm AS f
        SET {COLUMN} = listed.network_ids
        FROM (
            SELECT changed_firm.id,
                   COALESCE(
                       array_agg(m.network_id ORDER BY m.network_id)
                           FILTER (WHERE m.network_id IS NOT NULL),
                       '{{}}'
                   ) AS network_ids
            FROM (SELECT DISTINCT unnest(changed) AS id) AS changed_firm
            LEFT JOIN members_membership AS m
                ON m.firm_id = changed_firm.id AND m.is_active AND m.role <> 'office'
            GROUP BY changed_firm.id
        ) AS listed
        WHERE f.id = listed.id AND f.{COLUMN} IS DISTINCT FROM listed.network_ids;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE FUNCTION {REFRESH}_membership_changed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM {REFRESH}(ARRAY(SELECT DISTINCT firm_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM {REFRESH}(ARRAY(SELECT DISTINCT firm_id FROM old_rows));
        ELSE
            PERFORM {REFRESH}(ARRAY(
                SELECT DISTINCT firm_id FROM (
                    (SELECT id, firm_id, network_id, role, is_active FROM old_rows
                     EXCEPT ALL SELECT id, firm_id, network_id, role, is_active FROM new_rows)
                    UNION ALL
                    (SELECT id, firm_id, network_id, role, is_active FROM new_rows
                     EXCEPT ALL SELECT id, firm_id, network_id, role, is_active FROM old_rows)
                ) AS changed_rows
            ));
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE FUNCTION {REFRESH}_memberships_truncated() RETURNS trigger AS $$
    BEGIN
        UPDATE members_firm SET {COLUMN} = '{{}}' WHERE {COLUMN} <> '{{}}';
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {REFRESH}_{event.lower()}
        AFTER {event} ON members_membership
        REFERENCING {transitions}
        FOR EACH STATEMENT EXECUTE FUNCTION {REFRESH}_membership_changed();
        """
        for event, transitions in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
    f"""
    CREATE TRIGGER {REFRESH}_truncate
    AFTER TRUNCATE ON members_membership
    FOR EACH STATEMENT EXECUTE FUNCTION {REFRESH}_memberships_truncated();
    """,
    # The directory's order in each language, with the networks listing each firm: a
    # count, a page or the ids of a deep page come from the index alone.
    *(
        f"CREATE INDEX firm_directory_{column} ON members_firm ({column}, id)"
        f" INCLUDE ({COLUMN}) WHERE is_active;"
        for column in NAME_COLUMNS
    ),
    # The backfill.
    f"SELECT {REFRESH}(ARRAY(SELECT firm_id FROM members_membership));",
    "ANALYZE members_firm;",
]

BACKWARD = [
    *(f"DROP INDEX IF EXISTS firm_directory_{column};" for column in NAME_COLUMNS),
    *(
        f"DROP TRIGGER IF EXISTS {REFRESH}_{event} ON members_membership;"
        for event in ("insert", "update", "delete", "truncate")
    ),
    f"DROP FUNCTION IF EXISTS {REFRESH}_memberships_truncated();",
    f"DROP FUNCTION IF EXISTS {REFRESH}_membership_changed();",
    f"DROP FUNCTION IF EXISTS {REFRESH}(bigint[]);",
    f"ALTER TABLE members_firm DROP COLUMN IF EXISTS {COLUMN};",
]


class Migration(migrations.Migration):
    dependencies = [("members", "0005_firm_search_text")]

    operations = [PostgresOnlyRunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
