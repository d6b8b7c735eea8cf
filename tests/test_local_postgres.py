"""The local PostgreSQL fixture itself: a real server, password auth, preloaded libraries."""

from __future__ import annotations

import pytest

from tests.local_postgres import LocalPostgres, local_postgres_fixture

local_postgres = local_postgres_fixture()
pgaudit_postgres = local_postgres_fixture(preload=("pgaudit",), settings={"log_connections": True})


def test_server_answers_with_the_superuser_password(local_postgres: LocalPostgres) -> None:
    conn = local_postgres.connect()
    try:
        [[version]] = conn.run("SHOW server_version_num")
    finally:
        conn.close()
    assert version.startswith("15")


def test_a_wrong_password_is_refused(local_postgres: LocalPostgres) -> None:
    import pg8000.exceptions

    with pytest.raises(pg8000.exceptions.DatabaseError) as refused:
        local_postgres.connect(password="not-the-password")
    assert "28P01" in str(refused.value)  # invalid_password


def test_preloaded_library_and_settings_are_in_force(pgaudit_postgres: LocalPostgres) -> None:
    conn = pgaudit_postgres.connect()
    try:
        [[preloaded]] = conn.run("SHOW shared_preload_libraries")
        [[connections]] = conn.run("SHOW log_connections")
    finally:
        conn.close()
    assert preloaded == "pgaudit"
    assert connections == "on"
    assert "connection authorized: user=master" in pgaudit_postgres.log_text()


tls_postgres = local_postgres_fixture(tls=True)


def test_tls_server_refuses_a_plain_connection(tls_postgres: LocalPostgres) -> None:
    import pg8000.exceptions
    import pg8000.native

    conn = tls_postgres.connect()
    try:
        [[encrypted]] = conn.run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    finally:
        conn.close()
    assert encrypted is True
    with pytest.raises(pg8000.exceptions.DatabaseError) as refused:
        pg8000.native.Connection(tls_postgres.user, password=tls_postgres.password, host=tls_postgres.host,
                                 port=tls_postgres.port, database=tls_postgres.database,
                                 ssl_context=False)  # None would try TLS unverified
    assert "no encryption" in str(refused.value)
