"""The tenant's pgAudit settings, on a real PostgreSQL with Debian's pgaudit: a SELECT on an
application table is logged as an AUDIT line, and every connection is logged.

The server runs with exactly the parameters the stacks put in the primary's and the replica's
parameter groups (`audit_parameters` of the tenant file's `database.audit_log`), and the
extension is created as the README's step says (`CREATE EXTENSION pgaudit`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tenantkit.config.loader import load_text
from tenantkit.constructs.postgres_base import audit_parameters
from tests.local_postgres import LocalPostgres, start_local_postgres, unavailable_reason

EXAMPLE = Path(__file__).resolve().parents[2] / "tenant_configs" / "maple-ca.yaml"
AUDIT_LOG = "  audit_log: [read, write, ddl]\n"
"""Without `role`: a GRANT must then go unlogged, which shows the server follows the tenant file."""


@pytest.fixture(scope="module")
def tenant_parameters() -> dict[str, str]:
    text = EXAMPLE.read_text().replace("  multi_az: true\n", "  multi_az: true\n" + AUDIT_LOG, 1)
    config, issues = load_text(text, EXAMPLE)
    assert config is not None, issues
    assert config.database.audit_log == ["read", "write", "ddl"]
    return audit_parameters(tuple(config.database.audit_log))


@pytest.fixture(scope="module")
def postgres(tenant_parameters: dict[str, str]) -> Iterator[LocalPostgres]:
    preload = tuple(tenant_parameters["shared_preload_libraries"].split(","))
    if reason := unavailable_reason(preload):
        pytest.skip(reason)
    settings = {k: v for k, v in tenant_parameters.items() if k != "shared_preload_libraries"}
    with start_local_postgres(preload=preload, settings=settings) as server:
        connection = server.connect()
        try:
            connection.run("CREATE EXTENSION pgaudit")
            connection.run("CREATE TABLE invoices (id int PRIMARY KEY, customer text)")
            connection.run("INSERT INTO invoices VALUES (1, 'northwind')")
        finally:
            connection.close()
        yield server


def _audit_lines(server: LocalPostgres, marker: str) -> list[str]:
    return [line for line in server.log_text().splitlines() if "AUDIT: SESSION," in line and marker in line]


def test_a_select_on_an_application_table_is_an_audit_read_line(postgres: LocalPostgres) -> None:
    connection = postgres.connect()
    try:
        assert connection.run("SELECT customer FROM invoices WHERE id = 1 /* audit-select */") == [["northwind"]]
    finally:
        connection.close()
    (line,) = _audit_lines(postgres, "audit-select")
    assert ",READ,SELECT," in line and "FROM invoices" in line


def test_a_write_is_an_audit_write_line(postgres: LocalPostgres) -> None:
    connection = postgres.connect()
    try:
        connection.run("UPDATE invoices SET customer = 'globex' WHERE id = 1 /* audit-update */")
    finally:
        connection.close()
    (line,) = _audit_lines(postgres, "audit-update")
    assert ",WRITE,UPDATE," in line


def test_a_class_the_tenant_file_leaves_out_is_not_logged(postgres: LocalPostgres) -> None:
    connection = postgres.connect()
    try:
        connection.run("CREATE ROLE reporting NOLOGIN /* audit-role */")
        connection.run("GRANT SELECT ON invoices TO reporting /* audit-grant */")
    finally:
        connection.close()
    assert _audit_lines(postgres, "audit-grant") == []


def test_every_connection_is_logged_with_its_user_and_database(postgres: LocalPostgres) -> None:
    before = postgres.log_text().count("connection authorized: user=master database=postgres")
    connection = postgres.connect()
    try:
        connection.run("SELECT 1")
    finally:
        connection.close()
    after = postgres.log_text().count("connection authorized: user=master database=postgres")
    assert after == before + 1
    assert "connection received: host=127.0.0.1" in postgres.log_text()
