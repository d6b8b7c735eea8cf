"""The stacks follow the tenant file, not tenantkit's defaults.

The example tenants all use the default database, backup and replica settings, so a hard-coded
value in a stack would pass every other test. The tenants in tests/fixtures/varied_tenants set
every optional field away from its default; each test here takes its expected value from the
loaded `TenantConfig`, never from a template.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel

from tenantkit.config import TenantConfig, load_tenants
from tenantkit.config.residency import Residency
from tests.stacks.conftest import EXAMPLES, SynthesizedTenants, synthesize

VARIED = Path(__file__).resolve().parents[1] / "fixtures" / "varied_tenants"
TENANTS = sorted(path.stem for path in VARIED.glob("*.yaml"))
FIREWALL_STACKS = ("dr", "primary")

# Pinned logical ids of the resources under test (stateful ones are pinned elsewhere too).
PRIMARY_DB = "DatabaseInstance02E622FB"
REPLICA_DB = "ReplicaDatabaseInstanceDD68A168"
PRIMARY_PARAMETER_GROUP = "DatabaseBaseParameterGroup6CCEEDC3"
REPLICA_PARAMETER_GROUP = "ReplicaDatabaseBaseParameterGroupC825BE72"
DATA_BUCKET = "DataBucketBD860FE1"
DR_BUCKET = "DrBucket9AC30D6C"
BACKUP_PLAN = "BackupPlan14914BEB"
MASTER_SECRET = "DatabaseMasterSecretC5C2A01F"
WEB_ACL = "FirewallWebAcl5A849C4E"
DATABASE_EVENTS = "IncidentRulesDatabaseEvents49075EF4"
TAGGED = (
    ("primary", "TenantKey28C6FA36"),
    ("dr", "DrKeyF4EB5F85"),
    ("primary", DATA_BUCKET),
    ("dr", DR_BUCKET),
    ("primary", PRIMARY_DB),
    ("replica", REPLICA_DB),
)


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedTenants:
    """Every varied tenant synthesized once, in one app built as app.py builds it: any cdk-nag or
    tenant-rule finding fails here."""
    return synthesize(VARIED, tmp_path_factory.mktemp("varied.cdk.out"))


def _resources(varied: SynthesizedTenants, tenant: str, stack: str) -> dict:
    return varied.raw(f"tenant-{tenant}-{stack}")["Resources"]


def _props(varied: SynthesizedTenants, tenant: str, stack: str, logical_id: str) -> dict:
    return _resources(varied, tenant, stack)[logical_id]["Properties"]


def _of_type(varied: SynthesizedTenants, tenant: str, stack: str, resource_type: str) -> list[dict]:
    resources = _resources(varied, tenant, stack).values()
    return [r["Properties"] for r in resources if r["Type"] == resource_type]


def _text(value) -> str:
    """A template string value as text; a tenant without an account has `Fn::Join`s with the
    deploying account's `Ref` in its names and ARNs."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_text(part) for part in parts)
    if "Ref" in value:
        return "${" + value["Ref"] + "}"
    raise AssertionError(f"not a string or a join: {value!r}")


def _region_of(arn) -> str:
    return _text(arn).split(":")[3]


def _rules(varied: SynthesizedTenants, tenant: str) -> dict[str, dict]:
    plan = _props(varied, tenant, "primary", BACKUP_PLAN)["BackupPlan"]
    return {rule["RuleName"]: rule for rule in plan["BackupPlanRule"]}


def _web_acl_rules(varied: SynthesizedTenants, tenant: str, stack: str) -> dict[str, dict]:
    return {rule["Name"]: rule for rule in _props(varied, tenant, stack, WEB_ACL)["Rules"]}


# --- regions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("stack", ["dr", "primary", "replica"])
def test_stack_is_deployed_to_its_tenant_region(varied, tenant, stack):
    config = varied.configs[tenant]
    expected = config.primary_region if stack == "primary" else config.secondary_region
    deployed = varied.assembly.get_stack_by_name(f"tenant-{tenant}-{stack}").environment
    assert deployed.region == expected


# --- databases ---------------------------------------------------------------------------------


def _setting(stack: str, prop: str, configured: Callable[[TenantConfig], object], name: str):
    """A database property of `stack` and its value from the tenant config."""
    instance = PRIMARY_DB if stack == "primary" else REPLICA_DB
    return pytest.param(stack, instance, prop, configured, id=name)


DATABASE_SETTINGS = (
    _setting("primary", "EngineVersion", lambda c: c.database.engine_version, "engine-version"),
    _setting("primary", "DBInstanceClass", lambda c: c.database.instance_class, "instance-class"),
    _setting("primary", "AllocatedStorage", lambda c: str(c.database.allocated_storage_gib), "gib"),
    _setting("primary", "MultiAZ", lambda c: c.database.multi_az, "multi-az"),
    _setting("replica", "DBInstanceClass", lambda c: c.replica_instance_class, "replica-class"),
    _setting("replica", "MultiAZ", lambda c: c.database.multi_az, "replica-multi-az"),
    _setting("replica", "SourceRegion", lambda c: c.primary_region, "replica-source-region"),
)


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize(("stack", "instance", "prop", "configured"), DATABASE_SETTINGS)
def test_database_setting_follows_the_config(varied, tenant, stack, instance, prop, configured):
    assert _props(varied, tenant, stack, instance)[prop] == configured(varied.configs[tenant])


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize(
    ("stack", "parameter_group"),
    [("primary", PRIMARY_PARAMETER_GROUP), ("replica", REPLICA_PARAMETER_GROUP)],
)
def test_parameter_group_family_is_the_engine_major_version(varied, tenant, stack, parameter_group):
    major = varied.configs[tenant].database.engine_version.split(".")[0]
    assert _props(varied, tenant, stack, parameter_group)["Family"] == f"postgres{major}"


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize(
    ("stack", "parameter_group"),
    [("primary", PRIMARY_PARAMETER_GROUP), ("replica", REPLICA_PARAMETER_GROUP)],
)
def test_parameter_group_audits_the_tenant_files_classes_and_every_session(varied, tenant, stack, parameter_group):
    parameters = _props(varied, tenant, stack, parameter_group)["Parameters"]
    assert "pgaudit" in parameters["shared_preload_libraries"].split(",")
    assert parameters["pgaudit.log"].split(",") == list(varied.configs[tenant].database.audit_log)
    assert (parameters["log_connections"], parameters["log_disconnections"], parameters["rds.force_ssl"]) == ("1", "1", "1")


@pytest.mark.parametrize("tenant", TENANTS)
def test_master_secret_is_replicated_to_the_secondary_region(varied, tenant):
    (replica,) = _props(varied, tenant, "primary", MASTER_SECRET)["ReplicaRegions"]
    assert replica["Region"] == varied.configs[tenant].secondary_region


@pytest.mark.parametrize("tenant", TENANTS)
def test_replica_source_is_an_instance_of_the_primary_region(varied, tenant):
    source = _props(varied, tenant, "replica", REPLICA_DB)["SourceDBInstanceIdentifier"]
    assert _region_of(source) == varied.configs[tenant].primary_region


# --- backup plan -------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", TENANTS)
def test_hourly_snapshots_are_kept_hourly_retention_days(varied, tenant):
    expected = varied.configs[tenant].backup.hourly_retention_days
    assert _rules(varied, tenant)["Hourly"]["Lifecycle"] == {"DeleteAfterDays": expected}


@pytest.mark.parametrize("tenant", TENANTS)
def test_daily_backups_are_kept_retention_days(varied, tenant):
    expected = varied.configs[tenant].backup.retention_days
    assert _rules(varied, tenant)["Daily"]["Lifecycle"] == {"DeleteAfterDays": expected}


@pytest.mark.parametrize("tenant", TENANTS)
def test_continuous_backup_covers_retention_days_up_to_35(varied, tenant):
    expected = min(35, varied.configs[tenant].backup.retention_days)
    assert _rules(varied, tenant)["Continuous"]["Lifecycle"] == {"DeleteAfterDays": expected}


@pytest.mark.parametrize("tenant", TENANTS)
def test_daily_backups_are_copied_to_a_vault_in_the_secondary_region(varied, tenant):
    (copy,) = _rules(varied, tenant)["Daily"]["CopyActions"]
    assert _region_of(copy["DestinationBackupVaultArn"]) == varied.configs[tenant].secondary_region


@pytest.mark.parametrize("tenant", TENANTS)
def test_backup_copies_are_kept_copy_retention_days(varied, tenant):
    (copy,) = _rules(varied, tenant)["Daily"]["CopyActions"]
    expected = varied.configs[tenant].backup.copy_retention_days
    assert copy["Lifecycle"] == {"DeleteAfterDays": expected}


# --- buckets -----------------------------------------------------------------------------------


def _noncurrent_days(bucket: dict) -> int:
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    return rule["NoncurrentVersionExpiration"]["NoncurrentDays"]


@pytest.mark.parametrize("tenant", TENANTS)
def test_data_bucket_keeps_old_versions_retention_days(varied, tenant):
    expected = varied.configs[tenant].backup.retention_days
    assert _noncurrent_days(_props(varied, tenant, "primary", DATA_BUCKET)) == expected


@pytest.mark.parametrize("tenant", TENANTS)
def test_dr_bucket_keeps_old_versions_copy_retention_days(varied, tenant):
    expected = varied.configs[tenant].backup.copy_retention_days
    assert _noncurrent_days(_props(varied, tenant, "dr", DR_BUCKET)) == expected


@pytest.mark.parametrize("tenant", TENANTS)
def test_dr_bucket_is_named_for_the_secondary_region(varied, tenant):
    config = varied.configs[tenant]
    name = _text(_props(varied, tenant, "dr", DR_BUCKET)["BucketName"])
    assert name.startswith(f"{config.tenant_id}-dr-")
    assert name.endswith(f"-{config.secondary_region}")


@pytest.mark.parametrize("tenant", TENANTS)
def test_data_bucket_replicates_to_the_dr_stacks_bucket(varied, tenant):
    (rule,) = _props(varied, tenant, "primary", DATA_BUCKET)["ReplicationConfiguration"]["Rules"]
    dr_bucket = _text(_props(varied, tenant, "dr", DR_BUCKET)["BucketName"])
    assert _text(rule["Destination"]["Bucket"]) == f"arn:aws:s3:::{dr_bucket}"


# --- firewall ----------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("stack", FIREWALL_STACKS)
def test_web_acl_blocks_countries_outside_the_allowed_list(varied, tenant, stack):
    rule = _web_acl_rules(varied, tenant, stack)["BlockOutsideAllowedCountries"]
    countries = rule["Statement"]["NotStatement"]["Statement"]["GeoMatchStatement"]["CountryCodes"]
    assert countries == list(varied.configs[tenant].access.allowed_countries)


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("stack", FIREWALL_STACKS)
def test_ip_sets_hold_exactly_the_allowed_networks(varied, tenant, stack):
    access = varied.configs[tenant].access
    by_version = {"IPV4": access.ipv4_cidrs, "IPV6": access.ipv6_cidrs}
    expected = {version: list(cidrs) for version, cidrs in by_version.items() if cidrs}
    ip_sets = _of_type(varied, tenant, stack, "AWS::WAFv2::IPSet")
    assert {ip_set["IPAddressVersion"]: ip_set["Addresses"] for ip_set in ip_sets} == expected


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("stack", FIREWALL_STACKS)
def test_roaming_rule_exists_only_when_roaming_is_allowed(varied, tenant, stack):
    present = "AllowRoamingFromAllowedCountries" in _web_acl_rules(varied, tenant, stack)
    assert present is varied.configs[tenant].access.allow_roaming


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("stack", FIREWALL_STACKS)
def test_web_acl_protects_the_listed_resources_of_its_region(varied, tenant, stack):
    config = varied.configs[tenant]
    region = config.primary_region if stack == "primary" else config.secondary_region
    expected = sorted(arn for arn in config.access.protect if arn.split(":")[3] == region)
    associations = _of_type(varied, tenant, stack, "AWS::WAFv2::WebACLAssociation")
    assert sorted(association["ResourceArn"] for association in associations) == expected


# --- tags, incidents ---------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize(("stack", "logical_id"), TAGGED)
def test_resource_carries_the_config_tags(varied, tenant, stack, logical_id):
    tags = {tag["Key"]: tag["Value"] for tag in _props(varied, tenant, stack, logical_id)["Tags"]}
    assert varied.configs[tenant].tags.items() <= tags.items()


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("stack", ["dr", "primary", "replica"])
def test_stack_raises_incidents_through_alarms_and_event_rules(varied, tenant, stack):
    assert _of_type(varied, tenant, stack, "AWS::CloudWatch::Alarm")
    assert _of_type(varied, tenant, stack, "AWS::Events::Rule")


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("stack", ["primary", "replica"])
def test_database_events_rule_watches_the_instance_of_its_region(varied, tenant, stack):
    config = varied.configs[tenant]
    region = config.primary_region if stack == "primary" else config.secondary_region
    (watched,) = _props(varied, tenant, stack, DATABASE_EVENTS)["EventPattern"]["resources"]
    assert _region_of(watched) == region


# --- the fixtures themselves -------------------------------------------------------------------


def _unchanged_defaults(model: BaseModel, path: str = "") -> set[str]:
    """The dotted paths of `model`'s optional fields that hold their default value, nested models
    included."""
    unchanged = set()
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            unchanged |= _unchanged_defaults(value, f"{path}{name}.")
        elif not field.is_required() and value == field.get_default(call_default_factory=True):
            unchanged.add(f"{path}{name}")
    return unchanged


def _all_tenants() -> list[TenantConfig]:
    return load_tenants([EXAMPLES]) + load_tenants([VARIED])


def test_every_optional_field_has_a_non_default_value_in_some_tenant():
    always_default = set.intersection(*(_unchanged_defaults(config) for config in _all_tenants()))
    assert not always_default, f"add a tenant in {VARIED} that sets these away from their default"


def test_varied_tenants_cover_every_residency():
    residencies = {config.residency for config in load_tenants([VARIED])}
    assert residencies == set(Residency)


def test_varied_tenants_protect_resources_in_both_regions():
    regions = {
        "primary" if arn.split(":")[3] == config.primary_region else "secondary"
        for config in load_tenants([VARIED])
        for arn in config.access.protect
    }
    assert regions == {"primary", "secondary"}


@pytest.mark.parametrize("tenant", TENANTS)
def test_break_glass_sessions_follow_the_config_and_every_role_is_under_the_tenant_path(varied, tenant):
    minutes = varied.configs[tenant].access.break_glass_max_minutes
    roles = [r for stack in ("dr", "primary", "replica") for r in _of_type(varied, tenant, stack, "AWS::IAM::Role")]
    (break_glass,) = [r for r in roles if r.get("RoleName") == f"tenantkit-{tenant}-break-glass"]
    assert break_glass["MaxSessionDuration"] == max(minutes, 60) * 60
    assert {r.get("Path") for r in roles} == {f"/tenantkit/{tenant}/"}
