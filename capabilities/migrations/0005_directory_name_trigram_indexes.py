"""Trigram indexes on firms' names for the directory's similarity search (PostgreSQL only).

The directory ranks firms whose names are similar to the searched text (pg_trgm's word
similarity, `%>`); with these GIN indexes PostgreSQL finds them without scoring every
firm. Django's GinIndex would be created on SQLite too (`make run` without a server), where
the search matches substrings only, hence raw SQL that does nothing there.
"""

from django.db import migrations

from core.postgres_operations import PostgresOnlyRunSQL

NAME_COLUMNS = ("name_ja", "name_en")


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
