"""Break-glass access end to end in a real sandbox process: `deploy --local` of an example tenant,
then `tenantkit access grant --local`, the printed credentials used to read the tenant's master
secret and one of its files, and `tenantkit access log --local --json` listing the session with
its reason and operator and both reads; a tenant in offboarding is refused a grant.

Expected names come from the tenant file through tenantkit.naming; the sandbox's decisions are our
policy evaluator's (tenantkit/sandbox/extensions/policies.py), its records our CloudTrail journal's
(cloudtrail_events.py)."""

from __future__ import annotations

import json
import shlex
import shutil

import boto3
import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from tenantkit.cli.main import app
from tenantkit.config import validate_paths
from tenantkit.lifecycle.local import deploy_local
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tenantkit.stacks.tenant import names_of
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow
TENANT = "maple-ca"
REASON = "INC-4711 customer asked to check invoice 17"
runner = CliRunner()


def _operator_client(endpoint, account, service, region):
    """A client acting in the tenant's account as the operator (a session of a role the sandbox
    does not hold: not evaluated, as the operator's own credentials)."""
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region)
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/operator", RoleSessionName="operator")["Credentials"]
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"])  # fmt: skip


def _exports(stdout: str) -> dict[str, str]:
    found = {}
    for line in stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        (found[name],) = shlex.split(value)
    return found


@pytest.fixture(scope="module")
def granted(tmp_path_factory):
    root = tmp_path_factory.mktemp("access")
    configs = root / "tenant_configs"
    configs.mkdir()
    shutil.copy(EXAMPLE_CONFIGS / f"{TENANT}.yaml", configs)
    state = root / ".tenantkit"
    status, _ = start_sandbox(state)
    mp = pytest.MonkeyPatch()
    mp.chdir(root)  # the CLI finds the sandbox under ./.tenantkit
    try:
        (result,) = deploy_local(configs, [TENANT], root / "cdk.out", state, concurrency=1)
        assert result.ok, result
        (config,) = validate_paths([configs]).configs
        names = names_of(config)
        _operator_client(status.endpoint, config.account, "s3", config.primary_region).put_object(
            Bucket=names.data_bucket, Key="invoices/17.pdf", Body=b"%PDF-17")
        grant = runner.invoke(app, ["access", "grant", TENANT, "--reason", REASON, "--minutes", "30", "--by", "alice", "--local",
                                    "--dir", str(configs), "--root", str(root)])  # fmt: skip
        assert grant.exit_code == 0, grant.output
        env = _exports(grant.stdout)
        session = boto3.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                                aws_session_token=env["AWS_SESSION_TOKEN"], region_name=env["AWS_REGION"])  # fmt: skip
        endpoint = env["AWS_ENDPOINT_URL"]
        secret = session.client("secretsmanager", endpoint_url=endpoint).get_secret_value(SecretId=names.db_master_secret)
        body = session.client("s3", endpoint_url=endpoint).get_object(Bucket=names.data_bucket, Key="invoices/17.pdf")["Body"].read()
        try:
            session.client("s3", endpoint_url=endpoint).delete_object(Bucket=names.data_bucket, Key="invoices/17.pdf")
            deleted = "deleted"
        except ClientError as error:
            deleted = error.response["Error"]["Code"]
        log = runner.invoke(app, ["access", "log", TENANT, "--local", "--json", "--dir", str(configs)])
        table = runner.invoke(app, ["access", "log", TENANT, "--local", "--dir", str(configs)])
        yield {"config": config, "names": names, "env": env, "secret": secret, "body": body, "deleted": deleted, "log": log,
               "table": table, "grant": grant, "root": root, "configs": configs, "endpoint": status.endpoint}  # fmt: skip
    finally:
        mp.undo()
        stop_sandbox(state)


def test_the_grant_prints_credentials_that_read_the_secret_and_a_file_and_nothing_more(granted):
    assert granted["env"]["AWS_REGION"] == granted["config"].primary_region
    assert granted["secret"]["SecretString"]
    assert granted["body"] == b"%PDF-17"
    assert granted["deleted"] == "AccessDenied"  # break-glass reads and writes; it never deletes


def test_the_log_lists_the_session_with_its_reason_operator_and_both_reads(granted):
    log = granted["log"]
    assert log.exit_code == 0, log.output
    found = json.loads(log.stdout)
    (session,) = found["sessions"]
    names = granted["names"]
    assert (session["operator"], session["reason"]) == ("alice", REASON)
    assert session["access_key_id"] == granted["env"]["AWS_ACCESS_KEY_ID"]
    assert found["role_arn"] == names.break_glass_role_arn
    touched = {(t["action"], t["category"], t["error"]) for t in session["touches"]}
    assert ("GetSecretValue", "Management", None) in touched, touched
    assert ("GetObject", "Data", None) in touched, touched
    assert ("DeleteObject", "Data", "AccessDenied") in touched, touched
    # Secrets Manager and S3 use the tenant key with the session's permissions: KMS records it as the session's
    decrypts = [t["resources"] for t in session["touches"] if (t["service"], t["action"], t["error"]) == ("kms", "Decrypt", None)]
    assert len(decrypts) == 2 and {r[0].rsplit("/", 1)[0] for r in decrypts} == {f"arn:aws:kms:{names.primary_region}:{names.account}:key"}, decrypts
    secret_reads = [t for t in session["touches"] if t["action"] == "GetSecretValue"]
    assert secret_reads[0]["resources"][0].split(":secret:")[1].startswith(f"{names.db_master_secret}-")
    object_reads = [t for t in session["touches"] if t["action"] == "GetObject"]
    assert object_reads[0]["resources"][0] == f"arn:aws:s3:::{names.data_bucket}/invoices/17.pdf"
    assert found["unreadable"] == []


def test_the_table_names_the_session_and_what_was_read(granted):
    table = granted["table"]
    assert table.exit_code == 0, table.output
    assert "alice" in table.stdout and REASON in table.stdout and "GetObject" in table.stdout and "GetSecretValue" in table.stdout
    assert f":secret:{granted['names'].db_master_secret}-" in table.stdout  # not rich's emoji for ":secret:"


def test_a_tenant_in_offboarding_is_refused_a_grant(granted):
    from tenantkit.lifecycle.fleet import sandbox_sessions
    from tenantkit.lifecycle.state import State, transition
    from tenantkit.lifecycle.state.service import store_in

    config, root = granted["config"], granted["root"]
    store = store_in("sandbox", sandbox_sessions(granted["endpoint"], config.account), root / ".tenantkit")
    names = granted["names"]
    store.write(names, transition(store.read(names), State.OFFBOARDING, by="test", reason="test"))
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    try:
        refused = runner.invoke(app, ["access", "grant", TENANT, "--reason", "late", "--minutes", "15", "--by", "bob", "--local",
                                      "--dir", str(granted["configs"]), "--root", str(root)])  # fmt: skip
    finally:
        mp.undo()
    assert refused.exit_code == 1 and "access refused" in refused.output and refused.stdout == "", refused.output
