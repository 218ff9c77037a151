"""The matching engine's search structure, kept in step by the database (PostgreSQL only).

One row per firm the engine may consider in a network (an active, non-office membership
of an active firm that has registered at least one capability), holding the firm's
"capability-grade tokens": a firm with capability c at grade g has the tokens
c * 8 + 1 … c * 8 + g, and its network gives it the token -network_id. "Covers c at grade
m or above" is then the token c * 8 + m, "covers all of R" is one array containment, and a
GIN index answers both without aggregating FirmCapability (see capabilities.matching).

The rows are derived data: statement-level triggers on FirmCapability, Membership and Firm
recompute the rows of every firm a statement touched (inserts, updates, deletes, COPY,
bulk_create, cascades), and TRUNCATE of any of them empties the table. A refresh locks the
firm rows first, so that when two transactions change the same firm the later refresh
waits and then reads both changes (READ COMMITTED, Django's default).

The table is not a Django model: nothing but the triggers writes it and only the matching
engine reads it. The intarray extension lives in a schema of its own so that its int[]
operators do not replace PostgreSQL's own for the rest of the database. On SQLite (`make
run` without a server) this migration does nothing and the engine aggregates
FirmCapability directly.
"""

from django.db import migrations

from core.postgres_operations import PostgresOnlyRunSQL

TABLE = "capabilities_matchprofile"
INTARRAY_SCHEMA = "capabilities_intarray"
# Must match capabilities.matching.search_structure.GRADE_SLOTS.
GRADE_SLOTS = 8
MAX_GRADE = 5  # capabilities.models.MAX_GRADE when this migration was written
# The tokens of a capability row up to grade 5, as SQL; sliced to the row's grade.
tokens_up_to_5 = ", ".join(
    f"fc.capability_id * {GRADE_SLOTS} + {grade}" for grade in range(1, MAX_GRADE + 1)
)

FORWARD = [
    f"CREATE SCHEMA IF NOT EXISTS {INTARRAY_SCHEMA};",
    f"CREATE EXTENSION IF NOT EXISTS intarray WITH SCHEMA {INTARRAY_SCHEMA};",
    f"""
    CREATE TABLE {TABLE} (
        membership_id bigint PRIMARY KEY,
        network_id bigint NOT NULL,
        firm_id bigint NOT NULL,
        role varchar(20) NOT NULL,
        tokens integer[] NOT NULL
    );
    """,
    # Eligibility of a given firm in a network, from the index alone.
    f"CREATE UNIQUE INDEX {TABLE}_network_firm ON {TABLE} (network_id, firm_id) INCLUDE (role);",
    f"CREATE INDEX {TABLE}_firm ON {TABLE} (firm_id);",
    # The operator class is looked up where the extension really is (it may have been
    # installed elsewhere before this migration). Every search reads the index's list of
    # pending insertions whole, so it is kept short.
    f"""
    DO $$
    DECLARE
        intarray_schema text;
    BEGIN
        SELECT n.nspname INTO intarray_schema
        FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
        WHERE e.extname = 'intarray';
        EXECUTE format(
            'CREATE INDEX {TABLE}_tokens ON {TABLE} USING gin (tokens %I.gin__int_ops)'
            ' WITH (gin_pending_list_limit = 256)',
            intarray_schema
        );
    END;
    $$;
    """,
    # Concatenates the capabilities' token arrays (four times faster than one row per token).
    f"""
    CREATE AGGREGATE {TABLE}_concat(integer[]) (
        SFUNC = array_cat, STYPE = integer[], INITCOND = '{{}}'
    );
    """,
    # Planned afresh for each call (a batch of one firm and a COPY of a hundred thousand
    # want different plans) and without JIT, whose compilation costs more than the work.
    f"""
    CREATE FUNCTION {TABLE}_refresh(changed bigint[]) RETURNS void
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
        WITH firms AS (
            SELECT DISTINCT firm_id FROM unnest(changed) AS changed_firm(firm_id)
        ), held AS (
            SELECT fc.firm_id,
                   {TABLE}_concat(
                       (ARRAY[{tokens_up_to_5}]::integer[])[1:fc.grade]
                       ORDER BY fc.capability_id
                   ) AS tokens
            FROM firms
            JOIN capabilities_firmcapability AS fc ON fc.firm_id = firms.firm_id
            GROUP BY fc.firm_id
        ), wanted AS (
            SELECT m.id AS membership_id, m.network_id, m.firm_id, m.role,
                   (-m.network_id)::integer || held.tokens AS tokens
            FROM held
            JOIN members_membership AS m ON m.firm_id = held.firm_id
            JOIN members_firm AS f ON f.id = held.firm_id
            WHERE m.is_active AND f.is_active AND m.role <> 'office'
        ), removed AS (
            DELETE FROM {TABLE} AS p
            USING firms
            WHERE p.firm_id = firms.firm_id
              AND NOT EXISTS (SELECT 1 FROM wanted WHERE wanted.membership_id = p.membership_id)
        )
        INSERT INTO {TABLE} AS p (membership_id, network_id, firm_id, role, tokens)
        SELECT membership_id, network_id, firm_id, role, tokens FROM wanted
        ON CONFLICT (membership_id) DO UPDATE
            SET network_id = EXCLUDED.network_id, firm_id = EXCLUDED.firm_id,
                role = EXCLUDED.role, tokens = EXCLUDED.tokens
            WHERE (p.network_id, p.firm_id, p.role, p.tokens)
                  IS DISTINCT FROM
                  (EXCLUDED.network_id, EXCLUDED.firm_id, EXCLUDED.role, EXCLUDED.tokens);
    END;
    $$ LANGUAGE plpgsql;
    """,
    # Each trigger function refreshes the firms whose matching-relevant columns changed.
    f"""
    CREATE FUNCTION {TABLE}_firmcapability_changed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT DISTINCT firm_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT DISTINCT firm_id FROM old_rows));
        ELSE
            PERFORM {TABLE}_refresh(ARRAY(
                SELECT DISTINCT firm_id FROM (
                    (SELECT firm_id, capability_id, grade FROM old_rows
                     EXCEPT ALL SELECT firm_id, capability_id, grade FROM new_rows)
                    UNION ALL
                    (SELECT firm_id, capability_id, grade FROM new_rows
                     EXCEPT ALL SELECT firm_id, capability_id, grade FROM old_rows)
                ) AS changed_rows
            ));
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE FUNCTION {TABLE}_membership_changed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT DISTINCT firm_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT DISTINCT firm_id FROM old_rows));
        ELSE
            PERFORM {TABLE}_refresh(ARRAY(
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
    CREATE FUNCTION {TABLE}_firm_changed() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT id FROM old_rows));
        ELSE
            PERFORM {TABLE}_refresh(ARRAY(
                SELECT DISTINCT id FROM (
                    (SELECT id, is_active FROM old_rows EXCEPT ALL SELECT id, is_active FROM new_rows)
                    UNION ALL
                    (SELECT id, is_active FROM new_rows EXCEPT ALL SELECT id, is_active FROM old_rows)
                ) AS changed_rows
            ));
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE FUNCTION {TABLE}_truncated() RETURNS trigger AS $$
    BEGIN
        TRUNCATE {TABLE};
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"""
        CREATE TRIGGER {TABLE}_{source}_{event.lower()}
        AFTER {event} ON {table}
        REFERENCING {transitions}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_{source}_changed();
        """
        for source, table in (
            ("firmcapability", "capabilities_firmcapability"),
            ("membership", "members_membership"),
            ("firm", "members_firm"),
        )
        for event, transitions in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
        # A new firm has neither memberships nor capabilities yet.
        if not (source == "firm" and event == "INSERT")
    ),
    *(
        f"""
        CREATE TRIGGER {TABLE}_{source}_truncate
        AFTER TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_truncated();
        """
        for source, table in (
            ("firmcapability", "capabilities_firmcapability"),
            ("membership", "members_membership"),
            ("firm", "members_firm"),
        )
    ),
    # The backfill, and statistics for the engine's estimates from the start.
    f"SELECT {TABLE}_refresh(ARRAY(SELECT id FROM members_firm));",
    f"ANALYZE {TABLE};",
]

BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {TABLE}_{source}_{event} ON {table};"
        for source, table in (
            ("firmcapability", "capabilities_firmcapability"),
            ("membership", "members_membership"),
            ("firm", "members_firm"),
        )
        for event in ("insert", "update", "delete", "truncate")
    ),
    f"DROP FUNCTION IF EXISTS {TABLE}_truncated();",
    f"DROP FUNCTION IF EXISTS {TABLE}_firm_changed();",
    f"DROP FUNCTION IF EXISTS {TABLE}_membership_changed();",
    f"DROP FUNCTION IF EXISTS {TABLE}_firmcapability_changed();",
    f"DROP FUNCTION IF EXISTS {TABLE}_refresh(bigint[]);",
    f"DROP AGGREGATE IF EXISTS {TABLE}_concat(integer[]);",
    f"DROP TABLE IF EXISTS {TABLE};",
    # The extension goes only if it is the one this migration put in its own schema.
    f"DROP SCHEMA IF EXISTS {INTARRAY_SCHEMA} CASCADE;",
]


class Migration(migrations.Migration):
    dependencies = [
        ("capabilities", "0003_matching_index_contacts_search"),
        ("members", "0001_initial"),
    ]

    operations = [PostgresOnlyRunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
