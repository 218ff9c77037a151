"""Migration operations for what only PostgreSQL has: triggers, functions, trigram indexes.

The platform runs on PostgreSQL; a checkout without DATABASE_URL falls back to SQLite,
where these operations do nothing. Every app's migrations use this one operation, so it
lives in the bottom layer, which all of them may import.
"""

from django.db import migrations


class PostgresOnlyRunSQL(migrations.RunSQL):
    """Run the SQL on PostgreSQL; elsewhere (SQLite) do nothing."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
