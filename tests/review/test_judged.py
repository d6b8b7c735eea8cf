"""The review judges (issue 21, items 1 and 2): one example tenant synthesized once for this
module (with the baseline stack holding its region's audit trail, beside it as `tenantkit` lays
them out), then copies of it each weakened in ONE way, each flagged by logical id and section,
both by `review_assembly` and by `tenantkit review --from DIR --format json`.

Expected values (account, regions, allowed networks, bucket names) come from the tenant file."""

from __future__ import annotations

import ipaddress
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tenantkit.config import TenantConfig, load_tenants
from tenantkit.naming import stack_names
from tenantkit.review import review_assembly
from tenantkit.synth.baseline import BASELINE_ASSEMBLY
from tests.conftest import EXAMPLE_CONFIGS
from tests.review.conftest import CLEAN_TENANT, flags, only

pytestmark = pytest.mark.slow

DR, PRIMARY, REPLICA = stack_names(CLEAN_TENANT)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[TenantConfig, Path]:
    from tenantkit.synth import synth_tenants
    from tenantkit.synth.baseline import synth_baselines

    fleet = load_tenants([EXAMPLE_CONFIGS])
    config = next(c for c in fleet if c.tenant_id == CLEAN_TENANT)
    outdir = tmp_path_factory.mktemp("judged-cdk.out")
    (result,) = synth_tenants([config], outdir, lint=False)
    assert result.error is None, result.error
    synth_baselines(fleet, [config], outdir, lint=False)
    return config, outdir


class Copy:
    """A copy of the synthesized output (tenant assembly and baseline), whose templates a test edits."""

    def __init__(self, outdir: Path, target: Path) -> None:
        shutil.copytree(outdir, target)
        self.out = target
        self.dir = target / CLEAN_TENANT

    def edit(self, template: Path, change: Callable[[dict[str, Any]], str]) -> str:
        data = json.loads(template.read_text())
        logical_id = change(data["Resources"])
        template.write_text(json.dumps(data, indent=1))
        return logical_id

    def stack(self, name: str) -> Path:
        return self.dir / f"{name}.template.json"

    def baseline(self, region: str) -> Path:
        manifest = json.loads((self.out / BASELINE_ASSEMBLY / "manifest.json").read_text())
        (found,) = [a["properties"]["templateFile"] for a in manifest["artifacts"].values()
                    if a.get("type") == "aws:cloudformation:stack" and a["environment"].endswith(f"/{region}")]
        return self.out / BASELINE_ASSEMBLY / found


def _statements(resources: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    return resources[logical_id]["Properties"]["KeyPolicy"]["Statement"]


def account_wide_decrypt(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    """What aws-cdk-lib's Secret adds: the account may decrypt through Secrets Manager."""
    def change(resources: dict[str, Any]) -> str:
        key = only(resources, "AWS::KMS::Key", lambda p: "all tenant data" in str(p.get("Description")))  # the data key, not the incident topic's
        _statements(resources, key).append({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{config.account}:root"}, "Resource": "*",
            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
            "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{config.primary_region}.amazonaws.com",
                                           "kms:CallerAccount": config.account}},
        })
        return key
    return "encryption", PRIMARY, copy.edit(copy.stack(PRIMARY), change)


def trust_without_conditions(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    def change(resources: dict[str, Any]) -> str:
        role = only(resources, "AWS::IAM::Role", lambda p: "backup.amazonaws.com" in str(p["AssumeRolePolicyDocument"])
                    and "AWSBackupServiceRolePolicyForBackup" in str(p.get("ManagedPolicyArns")))
        for statement in resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
            statement.pop("Condition", None)
        return role
    return "iam", PRIMARY, copy.edit(copy.stack(PRIMARY), change)


def vault_without_policy(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    def change(resources: dict[str, Any]) -> str:
        vault = only(resources, "AWS::Backup::BackupVault")
        del resources[vault]["Properties"]["AccessPolicy"]
        return vault
    return "stores", DR, copy.edit(copy.stack(DR), change)


def bucket_policy_without_principal_deny(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    data_bucket = f"{config.tenant_id}-data-{config.account}-{config.primary_region}"

    def change(resources: dict[str, Any]) -> str:
        bucket = only(resources, "AWS::S3::Bucket", lambda p: p.get("BucketName") == data_bucket)
        policy = only(resources, "AWS::S3::BucketPolicy", lambda p: p["Bucket"] == {"Ref": bucket})
        statements = resources[policy]["Properties"]["PolicyDocument"]["Statement"]
        statements[:] = [s for s in statements if not (s["Effect"] == "Deny" and s.get("Action") == "s3:*" and "ArnNotLike" in s.get("Condition", {}))]
        return policy
    return "stores", PRIMARY, copy.edit(copy.stack(PRIMARY), change)


def no_trail_coverage(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    """The primary region's trail keeps management events but records no object events."""
    def change(resources: dict[str, Any]) -> str:
        trail = only(resources, "AWS::CloudTrail::Trail")
        selectors = resources[trail]["Properties"]["AdvancedEventSelectors"]
        selectors[:] = [s for s in selectors if "Data" not in json.dumps(s)]
        return trail
    copy.edit(copy.baseline(config.primary_region), change)
    data_bucket = f"{config.tenant_id}-data-{config.account}-{config.primary_region}"
    resources = json.loads(copy.stack(PRIMARY).read_text())["Resources"]
    return "audit", PRIMARY, only(resources, "AWS::S3::Bucket", lambda p: p.get("BucketName") == data_bucket)


def pgaudit_off(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    def change(resources: dict[str, Any]) -> str:
        database = only(resources, "AWS::RDS::DBInstance")
        group = resources[database]["Properties"]["DBParameterGroupName"]["Ref"]
        resources[group]["Properties"]["Parameters"]["shared_preload_libraries"] = "pg_stat_statements"
        return database
    return "audit", PRIMARY, copy.edit(copy.stack(PRIMARY), change)


def single_az(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    def change(resources: dict[str, Any]) -> str:
        database = only(resources, "AWS::RDS::DBInstance")
        resources[database]["Properties"]["MultiAZ"] = False
        return database
    return "backups", PRIMARY, copy.edit(copy.stack(PRIMARY), change)


def false_acknowledgment(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    """The hourly tier stops being copied: the replica's acknowledgment still claims it is."""
    def change(resources: dict[str, Any]) -> str:
        plan = only(resources, "AWS::Backup::BackupPlan")
        for rule in resources[plan]["Properties"]["BackupPlan"]["BackupPlanRule"]:
            if rule["RuleName"] == "Hourly":
                rule.pop("CopyActions")
        return plan
    copy.edit(copy.stack(PRIMARY), change)
    resources = json.loads(copy.stack(REPLICA).read_text())["Resources"]
    return "compliance", REPLICA, only(resources, "AWS::RDS::DBInstance")


def extra_cidr(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
    allowed = [ipaddress.ip_network(str(n)) for n in config.access.allowed_cidrs]
    documentation = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")  # RFC 5737
    extra = next(str(n) for net in documentation for n in ipaddress.ip_network(net).subnets(new_prefix=28)
                 if not any(n.overlaps(a) for a in allowed if a.version == 4))

    def change(resources: dict[str, Any]) -> str:
        ip_set = only(resources, "AWS::WAFv2::IPSet", lambda p: p["IPAddressVersion"] == "IPV4")
        resources[ip_set]["Properties"]["Addresses"].append(extra)
        return ip_set
    return "network", PRIMARY, copy.edit(copy.stack(PRIMARY), change)


WEAKENINGS = [account_wide_decrypt, trust_without_conditions, vault_without_policy, bucket_policy_without_principal_deny,
              no_trail_coverage, pgaudit_off, single_az, false_acknowledgment, extra_cidr]


def _flags(model: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(flag["section"], flag["stack"], flag["logical_id"]) for s in model["sections"] for flag in s["flags"]}


@pytest.mark.parametrize("weaken", WEAKENINGS, ids=[w.__name__ for w in WEAKENINGS])
def test_each_weakening_is_flagged_by_logical_id_and_section_also_from_the_cli(
    weaken: Callable[[Copy, TenantConfig], tuple[str, str, str]], synthesized: tuple[TenantConfig, Path], tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from tenantkit.cli.main import app

    config, outdir = synthesized
    clean = _flags(review_assembly(outdir / CLEAN_TENANT, lint_findings=()))
    copy = Copy(outdir, tmp_path / "out")
    expected = weaken(copy, config)
    assert expected not in clean
    model = review_assembly(copy.dir, lint_findings=())
    assert expected in _flags(model), sorted(_flags(model) - clean)
    result = CliRunner().invoke(app, ["review", "--from", str(copy.dir), "--format", "json", "--approvals", str(tmp_path / "approvals")])
    assert result.exit_code == 1, result.output
    assert expected in _flags(json.loads(result.output))


def test_the_example_is_flagged_only_for_the_detection_not_built_yet(synthesized: tuple[TenantConfig, Path]) -> None:
    """Detection (issue 18, item 5) is not on main yet: its absence is flagged, as the issue
    designs it; nothing that IS built is flagged."""
    _, outdir = synthesized
    model = review_assembly(outdir / CLEAN_TENANT, lint_findings=())
    others = [flag for s in model["sections"] for flag in s["flags"] if not flag["message"].startswith("detection gap:")]
    assert others == []


def test_without_the_baseline_assembly_the_trail_is_flagged_missing(synthesized: tuple[TenantConfig, Path], tmp_path: Path) -> None:
    config, outdir = synthesized
    copy = Copy(outdir, tmp_path / "out")
    shutil.rmtree(copy.out / BASELINE_ASSEMBLY)
    model = review_assembly(copy.dir, lint_findings=())
    audit = next(s for s in model["sections"] if s["id"] == "audit")
    missing = {f["stack"] for f in audit["flags"] if f["message"].startswith("no audit trail found for")}
    assert missing == {PRIMARY, DR}
    assert ("audit", "-") in flags(model)


def test_every_allowed_network_is_a_row_of_the_network_section(synthesized: tuple[TenantConfig, Path]) -> None:
    config, outdir = synthesized
    model = review_assembly(outdir / CLEAN_TENANT, lint_findings=())
    network = next(s for s in model["sections"] if s["id"] == "network")
    table = next(t for t in network["tables"] if t["title"] == "Allow-list, network by network")
    assert {row["key"] for row in table["rows"]} == {str(n) for n in config.access.allowed_cidrs}
    assert not any(row["flagged"] for row in table["rows"])


def _primary(change: Callable[[dict[str, Any], TenantConfig], str], section: str) -> Callable[[Copy, TenantConfig], tuple[str, str, str]]:
    def weaken(copy: Copy, config: TenantConfig) -> tuple[str, str, str]:
        return section, PRIMARY, copy.edit(copy.stack(PRIMARY), lambda resources: change(resources, config))
    weaken.__name__ = change.__name__
    return weaken


def _data_bucket_policy(resources: dict[str, Any], config: TenantConfig) -> str:
    name = f"{config.tenant_id}-data-{config.account}-{config.primary_region}"
    bucket = only(resources, "AWS::S3::Bucket", lambda p: p.get("BucketName") == name)
    return only(resources, "AWS::S3::BucketPolicy", lambda p: p["Bucket"] == {"Ref": bucket})


def no_tls_deny(resources: dict[str, Any], config: TenantConfig) -> str:
    policy = _data_bucket_policy(resources, config)
    statements = resources[policy]["Properties"]["PolicyDocument"]["Statement"]
    statements[:] = [s for s in statements if "aws:SecureTransport" not in json.dumps(s)]
    return policy


def no_key_deny(resources: dict[str, Any], config: TenantConfig) -> str:
    policy = _data_bucket_policy(resources, config)
    statements = resources[policy]["Properties"]["PolicyDocument"]["Statement"]
    statements[:] = [s for s in statements if "aws-kms-key-id" not in json.dumps(s)]
    return policy


def secret_without_policy(resources: dict[str, Any], config: TenantConfig) -> str:
    del resources[only(resources, "AWS::SecretsManager::ResourcePolicy")]
    return only(resources, "AWS::SecretsManager::Secret")


def secret_never_rotated(resources: dict[str, Any], config: TenantConfig) -> str:
    del resources[only(resources, "AWS::SecretsManager::RotationSchedule")]
    return only(resources, "AWS::SecretsManager::Secret")


def log_group_with_an_aws_key(resources: dict[str, Any], config: TenantConfig) -> str:
    group = only(resources, "AWS::Logs::LogGroup", lambda p: "flow-logs" in str(p.get("LogGroupName")))
    resources[group]["Properties"]["KmsKeyId"] = f"arn:aws:kms:{config.primary_region}:{config.account}:alias/aws/logs"
    return group


def connections_not_logged(resources: dict[str, Any], config: TenantConfig) -> str:
    database = only(resources, "AWS::RDS::DBInstance")
    group = resources[database]["Properties"]["DBParameterGroupName"]["Ref"]
    resources[group]["Properties"]["Parameters"]["log_disconnections"] = "0"
    return database


def audit_log_not_exported(resources: dict[str, Any], config: TenantConfig) -> str:
    database = only(resources, "AWS::RDS::DBInstance")
    resources[database]["Properties"]["EnableCloudwatchLogsExports"] = ["upgrade"]
    return database


def object_lock(resources: dict[str, Any], config: TenantConfig) -> str:
    name = f"{config.tenant_id}-data-{config.account}-{config.primary_region}"
    bucket = only(resources, "AWS::S3::Bucket", lambda p: p.get("BucketName") == name)
    resources[bucket]["Properties"]["ObjectLockEnabled"] = True
    resources[bucket]["Properties"]["ObjectLockConfiguration"] = {
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}}}
    return bucket


def vault_lock(resources: dict[str, Any], config: TenantConfig) -> str:
    vault = only(resources, "AWS::Backup::BackupVault")
    resources[vault]["Properties"]["LockConfiguration"] = {"MinRetentionDays": 35}
    return vault


def vault_deny_spares_no_offboarding(resources: dict[str, Any], config: TenantConfig) -> str:
    vault = only(resources, "AWS::Backup::BackupVault")
    for statement in resources[vault]["Properties"]["AccessPolicy"]["Statement"]:
        statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"] = f"arn:aws:iam::{config.account}:role/someone-else"
    return vault


def database_reached_from_a_range(resources: dict[str, Any], config: TenantConfig) -> str:
    database = only(resources, "AWS::RDS::DBInstance")
    (group,) = [value["Fn::GetAtt"][0] for value in resources[database]["Properties"]["VPCSecurityGroups"]]
    resources["ExtraIngress"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": {"Fn::GetAtt": [group, "GroupId"]}, "CidrIp": "10.0.0.0/8", "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432}}
    return group


def no_rate_limit(resources: dict[str, Any], config: TenantConfig) -> str:
    acl = only(resources, "AWS::WAFv2::WebACL")
    rules = resources[acl]["Properties"]["Rules"]
    rules[:] = [rule for rule in rules if "RateBasedStatement" not in rule["Statement"]]
    return acl


def no_reputation_list(resources: dict[str, Any], config: TenantConfig) -> str:
    acl = only(resources, "AWS::WAFv2::WebACL")
    rules = resources[acl]["Properties"]["Rules"]
    rules[:] = [rule for rule in rules if "AWSManagedRulesAmazonIpReputationList" not in json.dumps(rule)]
    return acl


MORE_WEAKENINGS = [
    _primary(no_rate_limit, "network"), _primary(no_reputation_list, "network"),
    _primary(database_reached_from_a_range, "network"),
    _primary(no_tls_deny, "stores"), _primary(no_key_deny, "stores"), _primary(secret_without_policy, "stores"),
    _primary(secret_never_rotated, "stores"), _primary(log_group_with_an_aws_key, "stores"),
    _primary(connections_not_logged, "audit"), _primary(audit_log_not_exported, "audit"),
    _primary(object_lock, "offboarding"), _primary(vault_lock, "offboarding"), _primary(vault_deny_spares_no_offboarding, "offboarding"),
]


@pytest.mark.parametrize("weaken", MORE_WEAKENINGS, ids=[w.__name__ for w in MORE_WEAKENINGS])
def test_each_store_audit_and_offboarding_weakening_is_flagged(
    weaken: Callable[[Copy, TenantConfig], tuple[str, str, str]], synthesized: tuple[TenantConfig, Path], tmp_path: Path,
) -> None:
    config, outdir = synthesized
    copy = Copy(outdir, tmp_path / "out")
    expected = weaken(copy, config)
    assert expected not in _flags(review_assembly(outdir / CLEAN_TENANT, lint_findings=()))
    model = review_assembly(copy.dir, lint_findings=())
    assert expected in _flags(model), sorted(_flags(model))


def test_a_trail_that_stopped_logging_is_flagged(synthesized: tuple[TenantConfig, Path], tmp_path: Path) -> None:
    config, outdir = synthesized
    copy = Copy(outdir, tmp_path / "out")

    def stop(resources: dict[str, Any]) -> str:
        trail = only(resources, "AWS::CloudTrail::Trail")
        resources[trail]["Properties"]["IsLogging"] = False
        return trail
    trail = copy.edit(copy.baseline(config.primary_region), stop)
    assert ("audit", PRIMARY, trail) in _flags(review_assembly(copy.dir, lint_findings=()))


def test_the_secondary_rpo_as_built_is_compared_with_the_promise(synthesized: tuple[TenantConfig, Path], tmp_path: Path) -> None:
    """The hourly copies stop: the secondary region's RPO from backups is a day as built, not the
    hour the tenant file promises (copy_hourly)."""
    from tenantkit.config.promises import secondary_region_rpo

    config, outdir = synthesized
    promised = secondary_region_rpo(config)
    assert promised["database"]["from backups"] == "1 hour"
    clean = review_assembly(outdir / CLEAN_TENANT, lint_findings=(), promised_rpo=promised)
    plan_flags = {f for f in _flags(clean) if f[0] == "backups"}
    copy = Copy(outdir, tmp_path / "out")
    false_acknowledgment(copy, config)  # drops the Hourly rule's copy
    resources = json.loads(copy.stack(PRIMARY).read_text())["Resources"]
    backup_plan = only(resources, "AWS::Backup::BackupPlan")
    model = review_assembly(copy.dir, lint_findings=(), promised_rpo=promised)
    assert ("backups", PRIMARY, backup_plan) in _flags(model) - plan_flags
    message = next(f["message"] for s in model["sections"] for f in s["flags"] if f["logical_id"] == backup_plan and f["section"] == "backups")
    assert message.endswith("is 1 day as built; the tenant was promised 1 hour")


def _rpo_rows(model: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(store, region, copy) -> row of the backups section's "Recovery point per store" table."""
    (table,) = [t for s in model["sections"] if s["id"] == "backups" for t in s["tables"] if t["title"] == "Recovery point per store"]
    return {(row["cells"][0], row["cells"][1], row["cells"][2]): row for row in table["rows"]}


def test_the_rpo_per_store_as_built_meets_the_promise_of_the_clean_example(synthesized: tuple[TenantConfig, Path]) -> None:
    from tenantkit.config.promises import PRIMARY_REGION, rpo_promises

    config, outdir = synthesized
    promised = rpo_promises(config)
    model = review_assembly(outdir / CLEAN_TENANT, lint_findings=(), promised_rpo=promised)
    rows = _rpo_rows(model)
    expected = {(store, region, copy) for store in ("database", "files")
                for region, copy in ((config.primary_region, PRIMARY_REGION), (config.secondary_region, "live copy"),
                                     (config.secondary_region, "from backups"))}
    assert set(rows) == expected
    assert [key for key, row in rows.items() if row["flagged"]] == []
    for (store, _, copy), row in rows.items():
        assert row["cells"][5] == promised[store][copy]
    assert rows[("database", config.primary_region, PRIMARY_REGION)]["cells"][3] == promised["database"][PRIMARY_REGION]
    assert rows[("files", config.secondary_region, "from backups")]["cells"][3] == promised["files"]["from backups"]
    assert not [f for s in model["sections"] for f in s["flags"] if " RPO in " in f["message"]]
    without = _rpo_rows(review_assembly(outdir / CLEAN_TENANT, lint_findings=()))  # --from DIR: no tenant file
    assert {row["cells"][5] for row in without.values()} == {"not known (no tenant file)"}
    assert not [row for row in without.values() if row["flagged"]]


def _rtc_off(resources: dict[str, Any]) -> str:
    bucket = only(resources, "AWS::S3::Bucket", lambda p: "ReplicationConfiguration" in p)
    for rule in resources[bucket]["Properties"]["ReplicationConfiguration"]["Rules"]:
        rule["Destination"]["ReplicationTime"]["Status"] = "Disabled"
    return bucket


def _no_hourly_tier(resources: dict[str, Any]) -> str:
    plan = only(resources, "AWS::Backup::BackupPlan")
    rules = resources[plan]["Properties"]["BackupPlan"]["BackupPlanRule"]
    rules[:] = [rule for rule in rules if rule["RuleName"] != "Hourly"]
    return plan


@pytest.mark.parametrize(("weaken", "expected"), [
    (_rtc_off, [("files", "live copy", "unbounded")]),
    (_no_hourly_tier, [("database", "from backups", "1 day"), ("files", "from backups", "1 day")]),
], ids=["rtc-off", "no-hourly-tier"])
def test_a_weakened_template_is_flagged_where_the_rpo_as_built_exceeds_the_promise(
    weaken: Callable[[dict[str, Any]], str], expected: list[tuple[str, str, str]], synthesized: tuple[TenantConfig, Path], tmp_path: Path,
) -> None:
    from tenantkit.config.promises import rpo_promises

    config, outdir = synthesized
    promised = rpo_promises(config)
    copy = Copy(outdir, tmp_path / "out")
    logical_id = copy.edit(copy.stack(PRIMARY), weaken)
    model = review_assembly(copy.dir, lint_findings=(), promised_rpo=promised)
    rows = _rpo_rows(model)
    assert sorted(key for key, row in rows.items() if row["flagged"]) == sorted(
        (store, config.secondary_region, copy_kind) for store, copy_kind, _ in expected)
    messages = {f["message"] for s in model["sections"] if s["id"] == "backups" for f in s["flags"] if f["logical_id"] == logical_id}
    for store, copy_kind, built in expected:
        line = f"{store} RPO in {config.secondary_region} ({copy_kind}) is {built} as built"
        assert [m for m in messages if m.startswith(line) and m.endswith(f"the tenant was promised {promised[store][copy_kind]}")], messages
