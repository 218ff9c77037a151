"""Trigram indexes on firms' names for the directory's similarity search (PostgreSQL only).

The directory ranks firms whose names are similar to the searched text (pg_trgm's word
similarity, `%>`); with these GIN indexes PostgreSQL finds them without scoring every
firm. Django's GinIndex would be created on SQLite too (`make run` without a server), where
the search matches substrings only, hence raw SQL that does nothing there.
"""

from django.db import migrations

NAME_COLUMNS = ("name_ja", "name_en")


class PostgresOnlyRunSQL(migrations.RunSQL):
    """Run the SQL on PostgreSQL; elsewhere (SQLite) do nothing."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("capabilities", "0004_matching_profiles"),
        ("members", "0005_firm_search_text"),
    ]

    operations = [
        PostgresOnlyRunSQL(
            sql=[
                f"CREATE INDEX firm_{column}_trgm ON members_firm USING gin ({column} gin_trgm_ops);"
                for column in NAME_COLUMNS
            ],
            reverse_sql=[f"DROP INDEX IF EXISTS firm_{column}_trgm;" for column in NAME_COLUMNS],
        )
    ]
