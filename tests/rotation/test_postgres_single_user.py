"""The rotation handler, in-process, against moto's Secrets Manager and a real local PostgreSQL
(TLS required, the server certificate verified), step by step as Secrets Manager calls it.

What Secrets Manager does before each rotation, moto does only inside RotateSecret, which then
runs the Lambda in Docker (absent here): `begin_rotation` below, a small fake named as such,
stages an empty AWSPENDING version under a new token in moto's backend, exactly what
RotateSecret records before it invokes the function. The tests read values by stage
(`VersionStage="AWSCURRENT"`), as the handler does: moto's UpdateSecretVersionStage moves the
label but not its default version, so GetSecretValue without a stage returns the old value
there (AWS returns the AWSCURRENT one).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from tenantkit.rotation import postgres_single_user as rotation
from tests.local_postgres import LocalPostgres, local_postgres_fixture

REGION = "eu-west-1"
postgres = local_postgres_fixture(tls=True)


@pytest.fixture
def login(postgres: LocalPostgres) -> Iterator[dict[str, Any]]:
    """A fresh login role with a password (the master user's stand-in), as the secret holds it
    once the target attachment has added the connection fields."""
    name = f"admin_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    conn = postgres.connect()
    try:
        conn.run(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    finally:
        conn.close()
    yield {
        "engine": "postgres", "host": postgres.host, "port": postgres.port, "username": name,
        "password": password, "dbname": "postgres", "dbInstanceIdentifier": "tenantkit-acme",
    }
    conn = postgres.connect()
    try:
        conn.run(f"DROP ROLE {name}")
    finally:
        conn.close()


@pytest.fixture
def secrets() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


def begin_rotation(client: Any, arn: str) -> str:
    """Fake of Secrets Manager's own first move: a new version id staged AWSPENDING, no value."""
    from moto.secretsmanager.models import secretsmanager_backends

    token = str(uuid.uuid4())
    secret = secretsmanager_backends[DEFAULT_ACCOUNT_ID][REGION].secrets[arn]
    secret.remove_version_stages_from_old_versions(["AWSPENDING"])
    secret.versions[token] = {"createdate": 0, "version_id": token, "version_stages": ["AWSPENDING"]}
    return token


def can_log_in(postgres: LocalPostgres, user: str, password: str) -> bool:
    secret = {"host": postgres.host, "port": postgres.port, "username": user, "password": password}
    conn = rotation.connect(secret, ca_file=str(postgres.ca_file))
    if conn is None:
        return False
    conn.close()
    return True


def run_steps(client: Any, arn: str, token: str, postgres: LocalPostgres, steps: tuple[str, ...] = rotation.STEPS) -> None:
    for step in steps:
        rotation.rotate_step(client, arn, token, step, ca_file=str(postgres.ca_file))


def test_rotation_changes_the_password_in_the_database_and_the_secret(
    secrets: Any, login: dict[str, Any], postgres: LocalPostgres
) -> None:
    arn = secrets.create_secret(Name="tenantkit/acme/db-master-user", SecretString=json.dumps(login))["ARN"]
    token = begin_rotation(secrets, arn)

    run_steps(secrets, arn, token, postgres)

    current = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    previous = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")["SecretString"])
    assert current["password"] != login["password"]
    assert previous["password"] == login["password"]
    assert {k: v for k, v in current.items() if k != "password"} == {k: v for k, v in login.items() if k != "password"}
    assert not set(current["password"]) & set(rotation.EXCLUDE_CHARACTERS)
    assert can_log_in(postgres, login["username"], current["password"])
    assert not can_log_in(postgres, login["username"], login["password"])
    stages = secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
    assert "AWSCURRENT" in stages[token]


def test_each_step_can_run_again_after_a_failure(secrets: Any, login: dict[str, Any], postgres: LocalPostgres) -> None:
    arn = secrets.create_secret(Name="tenantkit/acme/db-master-user", SecretString=json.dumps(login))["ARN"]
    token = begin_rotation(secrets, arn)
    run_steps(secrets, arn, token, postgres, ("createSecret", "setSecret"))
    pending = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSPENDING")["SecretString"])

    # Secrets Manager retries a step whose invocation failed: nothing is generated or set twice.
    run_steps(secrets, arn, token, postgres)
    run_steps(secrets, arn, token, postgres, ("finishSecret",))

    current = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    assert current["password"] == pending["password"]
    assert can_log_in(postgres, login["username"], pending["password"])


def test_set_secret_logs_in_with_the_previous_password_when_current_is_already_stale(
    secrets: Any, login: dict[str, Any], postgres: LocalPostgres
) -> None:
    arn = secrets.create_secret(Name="tenantkit/acme/db-master-user", SecretString=json.dumps(login))["ARN"]
    # Someone stored a new current value that was never set in the database.
    secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({**login, "password": "never-set-anywhere"}))
    token = begin_rotation(secrets, arn)

    run_steps(secrets, arn, token, postgres)

    current = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    assert can_log_in(postgres, login["username"], current["password"])


def test_set_secret_fails_when_no_stored_password_logs_in(secrets: Any, login: dict[str, Any], postgres: LocalPostgres) -> None:
    arn = secrets.create_secret(
        Name="tenantkit/acme/db-master-user", SecretString=json.dumps({**login, "password": "wrong"})
    )["ARN"]
    token = begin_rotation(secrets, arn)
    run_steps(secrets, arn, token, postgres, ("createSecret",))

    with pytest.raises(rotation.RotationError, match="unable to log into the database"):
        run_steps(secrets, arn, token, postgres, ("setSecret",))
    assert can_log_in(postgres, login["username"], login["password"])


def test_set_secret_refuses_a_pending_version_for_another_host(
    secrets: Any, login: dict[str, Any], postgres: LocalPostgres
) -> None:
    arn = secrets.create_secret(Name="tenantkit/acme/db-master-user", SecretString=json.dumps(login))["ARN"]
    token = begin_rotation(secrets, arn)
    secrets.put_secret_value(
        SecretId=arn, ClientRequestToken=token, VersionStages=["AWSPENDING"],
        SecretString=json.dumps({**login, "host": "localhost", "password": "x" * 20}),
    )

    with pytest.raises(rotation.RotationError, match="host differs"):
        run_steps(secrets, arn, token, postgres, ("setSecret",))


def test_a_server_whose_certificate_is_not_trusted_is_refused(login: dict[str, Any]) -> None:
    import ssl

    with pytest.raises(ssl.SSLCertVerificationError):
        rotation.connect(login, ca_file=ssl.get_default_verify_paths().openssl_cafile)


def test_a_token_not_staged_for_rotation_is_refused(secrets: Any, login: dict[str, Any], postgres: LocalPostgres) -> None:
    arn = secrets.create_secret(Name="tenantkit/acme/db-master-user", SecretString=json.dumps(login))["ARN"]
    with pytest.raises(rotation.RotationError, match="has no stage for rotation"):
        run_steps(secrets, arn, str(uuid.uuid4()), postgres, ("createSecret",))
    current_version = next(v for v, s in secrets.describe_secret(SecretId=arn)["VersionIdsToStages"].items() if "AWSCURRENT" in s)
    rotation.rotate_step(secrets, arn, current_version, "createSecret", ca_file=str(postgres.ca_file))  # a no-op
    with pytest.raises(rotation.RotationError, match="invalid step"):
        rotation.rotate_step(secrets, arn, current_version, "dropDatabase", ca_file=str(postgres.ca_file))


def test_lambda_handler_reads_its_endpoint_and_ca_bundle_from_the_environment(
    secrets: Any, login: dict[str, Any], postgres: LocalPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = secrets.create_secret(Name="tenantkit/acme/db-master-user", SecretString=json.dumps(login))["ARN"]
    token = begin_rotation(secrets, arn)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("DB_CA_BUNDLE", str(postgres.ca_file))
    monkeypatch.delenv("SECRETS_MANAGER_ENDPOINT", raising=False)

    for step in rotation.STEPS:
        rotation.lambda_handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, None)

    current = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    assert can_log_in(postgres, login["username"], current["password"])


def test_the_plain_password_never_reaches_the_server_log(
    secrets: Any, login: dict[str, Any], postgres: LocalPostgres
) -> None:
    conn = postgres.connect()
    try:
        conn.run(f"ALTER ROLE {login['username']} SET log_statement = 'all'")
    finally:
        conn.close()
    arn = secrets.create_secret(Name="tenantkit/acme/db-master-user", SecretString=json.dumps(login))["ARN"]
    token = begin_rotation(secrets, arn)

    run_steps(secrets, arn, token, postgres)

    current = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    log = postgres.log_text()
    assert "ALTER USER" in log and "SCRAM-SHA-256$4096:" in log
    assert current["password"] not in log
