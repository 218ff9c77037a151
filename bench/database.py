"""The scratch PostgreSQL database the benchmarks run in, created and dropped per run.

The benchmarks never write to the database named in DATABASE_URL: they use the same
server and credentials with a database of their own, `<name>_bench` (the default is
postgres://postgres@127.0.0.1:5432/brokerage_bench), which they create and drop.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

DEFAULT_BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/brokerage_bench"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def bench_database_url(configured: str | None) -> str:
    """Return the URL of the scratch database for the configured DATABASE_URL."""
    if not configured:
        return DEFAULT_BENCH_DATABASE_URL
    parts = urlsplit(configured)
    if parts.scheme not in POSTGRES_SCHEMES:
        return configured  # the benchmarks that need PostgreSQL refuse it with a reason
    name = parts.path.strip("/")
    if not name.endswith("_bench"):
        name = f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def _maintenance_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def create_database(url: str) -> None:
    """Create the scratch database afresh (dropping one a crashed run left behind)."""
    from psycopg import sql

    name = urlsplit(url).path.strip("/")
    assert name.endswith("_bench"), "the benchmarks only ever create *_bench databases"
    with _maintenance_connection(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    from psycopg import sql

    name = urlsplit(url).path.strip("/")
    assert name.endswith("_bench"), "the benchmarks only ever drop *_bench databases"
    with _maintenance_connection(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
