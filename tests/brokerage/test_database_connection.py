"""How the platform connects to PostgreSQL."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_short_queries():
    # Given the configured database (CI and production: PostgreSQL)
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: set DATABASE_URL")
    # When a session asks for its JIT setting
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        (jit,) = cursor.fetchone()
    # Then it is off, as the connection options ask
    assert jit == "off"
