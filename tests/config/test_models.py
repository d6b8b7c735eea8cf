"""Every field rule of the tenant file: a valid and an invalid case, on the field path and message."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from tenantkit.config.models import DEFAULT_ENGINE_VERSION, TenantConfig, TenantStatus
from tests.conftest import MINIMAL_TENANT


def with_value(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL_TENANT)
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return data


def errors_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        TenantConfig.model_validate(data)
    return [
        (".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, "))
        for e in caught.value.errors()
    ]


VALID = [
    ("tenant_id", "abc"),
    ("tenant_id", "a" * 30),
    ("tenant_id", "acme-2-corp"),
    ("tenant_id", "acme-primaryx"),  # a reserved word inside a longer word is no word of its own
    ("tenant_id", "drx-replicas"),
    ("tenant_id", "acme-corp-data2"),
    ("display_name", "x"),
    ("display_name", "Ä" * 80),
    ("residency", "de"),
    ("account", "012345678901"),
    ("contacts.security_email", "soc+alerts@acme.example"),
    ("access.allowed_cidrs", ["10.0.0.0/8"]),
    ("access.allowed_cidrs", ["2001:db8::/32", "192.0.2.7/32"]),
    ("access.allowed_cidrs", [f"10.{i // 256}.{i % 256}.0/24" for i in range(10_000)]),
    ("access.allowed_countries", ["DE"]),
    ("access.allow_roaming", True),
    ("access.rate_limit", 10),
    ("access.rate_limit", 2_000_000_000),
    ("access.managed_rules", {"anonymous_ip": {"action": "count", "reason": "staff use a corporate VPN"}}),
    ("access.managed_rules", {"ip_reputation": {"action": "block"}}),
    ("access.break_glass_max_minutes", 15),
    ("access.break_glass_max_minutes", 720),
    ("database.engine_version", "16.9"),
    ("database.instance_class", "db.r6g.2xlarge"),
    ("database.allocated_storage_gib", 20),
    ("database.allocated_storage_gib", 65536),
    ("backup.copy_hourly", False),
    ("backup.restore_testing", "monthly"),
    ("backup.retention_days", 1),
    ("backup.retention_days", 76),
    ("backup.copy_retention_days", 76),
    ("backup", {"copy_retention_days": 100, "copy_hourly": False}),
    ("backup.hourly_retention_days", 2),
    ("replica.instance_class", "db.r6g.large"),
    ("access.protect", ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"]),
    ("access.protect", ["arn:aws:apigateway:us-west-2::/restapis/a1b2c3/stages/prod"]),
    ("database.engine_version", "16.10"),
    ("database.instance_class", "db.r6g.large"),
    ("replica.region", "us-east-2"),
    ("subscription.ends_on", date(2027, 1, 31)),
    ("subscription.ends_on", "2027-01-31"),
    ("subscription.retrieval_days", 0),
    ("subscription.retrieval_days", 3650),
    ("tags", {"cost-center": "1234", "team name": "a/b:c=d+e@f_g.h"}),
]


@pytest.mark.parametrize(("path", "value"), VALID, ids=[f"{p}={str(v)[:20]}" for p, v in VALID])
def test_valid_value_is_accepted(path: str, value: Any) -> None:
    TenantConfig.model_validate(with_value(path, value))


INVALID = [
    ("tenant_id", "ab", "tenant_id", "must be 3 to 30 characters long"),
    ("tenant_id", "a" * 31, "tenant_id", "must be 3 to 30 characters long"),
    ("tenant_id", "Acme", "tenant_id", "use lower-case letters"),
    ("tenant_id", "1acme", "tenant_id", "starting with a letter"),
    ("tenant_id", "acme-", "tenant_id", "ending with a letter or digit"),
    ("tenant_id", "ac--me", "tenant_id", "must not contain '--'"),
    ("tenant_id", "aws-acme", "tenant_id", "reserved prefix 'aws'"),
    ("tenant_id", "amazonia", "tenant_id", "reserved prefix 'amazon'"),
    ("tenant_id", "tenantkit-x", "tenant_id", "reserved prefix 'tenantkit'"),
    ("display_name", "", "display_name", "at least 1 character"),
    ("display_name", "x" * 81, "display_name", "at most 80 characters"),
    ("residency", "uk", "residency", "Input should be 'us', 'ca' or 'de'"),
    ("account", "12345", "account", "'12345' is not a 12-digit AWS account id"),
    ("account", 123456789012, "account", "write the account id as a quoted string"),
    ("contacts.security_email", "not-an-email", "contacts.security_email", "not a valid email"),
    ("access.allowed_cidrs", [], "access.allowed_cidrs", "at least 1 item"),
    ("access.allowed_cidrs", ["10.0.0.0/33"], "access.allowed_cidrs.0", "is not an IPv4 or IPv6 network"),
    ("access.allowed_cidrs", ["banana"], "access.allowed_cidrs.0", "is not an IPv4 or IPv6 network"),
    ("access.allowed_cidrs", ["192.0.2.1/24"], "access.allowed_cidrs.0", "has host bits set; did you mean 192.0.2.0/24?"),
    ("access.allowed_cidrs", ["2001:db8::1/32"], "access.allowed_cidrs.0", "did you mean 2001:db8::/32?"),
    ("access.allowed_cidrs", ["0.0.0.0/0"], "access.allowed_cidrs.0", "would allow everyone"),
    ("access.allowed_cidrs", ["::/0"], "access.allowed_cidrs.0", "would allow everyone"),
    ("access.allowed_cidrs", ["192.0.2.7"], "access.allowed_cidrs.0", "has no prefix length; write 192.0.2.7/32"),
    ("access.allowed_cidrs", ["10.0.0.0/8", "10.0.0.0/8"], "access.allowed_cidrs", "listed more than once: 10.0.0.0/8"),
    ("access.allowed_cidrs", [f"10.{i // 256}.{i % 256}.0/24" for i in range(10_001)], "access.allowed_cidrs", "10,001 networks; at most 10,000, what one WAF IP set holds"),
    ("access.allowed_countries", [], "access.allowed_countries", "at least 1 item"),
    ("access.allowed_countries", ["us"], "access.allowed_countries.0", "country codes are upper case: write 'US'"),
    ("access.allowed_countries", ["XX"], "access.allowed_countries.0", "'XX' is not an ISO 3166-1 alpha-2 country code"),
    ("access.allowed_countries", ["UK"], "access.allowed_countries.0", "did you mean 'GB'?"),
    ("access.allowed_countries", ["USA"], "access.allowed_countries.0", "not an ISO 3166-1 alpha-2"),
    ("access.allowed_countries", ["US", "US"], "access.allowed_countries", "listed more than once: US"),
    ("access.allow_roaming", "yes", "access.allow_roaming", "valid boolean"),
    ("access.rate_limit", 9, "access.rate_limit", "greater than or equal to 10"),
    ("access.rate_limit", 2_000_000_001, "access.rate_limit", "less than or equal to 2000000000"),
    ("access.rate_limit", "2000", "access.rate_limit", "valid integer"),
    ("access.managed_rules", {"anonymous_ip": {"action": "count"}}, "access.managed_rules.anonymous_ip", "action count needs a reason"),
    ("access.managed_rules", {"ip_reputation": {"action": "count", "reason": "  "}}, "access.managed_rules.ip_reputation", "action count needs a reason"),
    ("access.managed_rules", {"ip_reputation": {"action": "allow"}}, "access.managed_rules.ip_reputation.action", "'block' or 'count'"),
    ("access.managed_rules", {"tor": {"action": "count", "reason": "x"}}, "access.managed_rules.tor", "Extra inputs are not permitted"),
    ("access.break_glass_max_minutes", 14, "access.break_glass_max_minutes", "greater than or equal to 15"),
    ("access.break_glass_max_minutes", 721, "access.break_glass_max_minutes", "less than or equal to 720"),
    ("database.engine_version", "16", "database.engine_version", "pin a minor version"),
    ("database.engine_version", 16, "database.engine_version", "not the major version alone"),
    ("database.engine_version", 16.1, "database.engine_version", "quoted string"),
    ("database.engine_version", "sixteen", "database.engine_version", "is not a PostgreSQL version"),
    ("database.engine_version", "11.22", "database.engine_version", "past end of support"),
    ("database.instance_class", "t4g.medium", "database.instance_class", "db.<family>.<size>"),
    ("database.allocated_storage_gib", 19, "database.allocated_storage_gib", "greater than or equal to 20"),
    ("database.allocated_storage_gib", 65537, "database.allocated_storage_gib", "less than or equal to 65536"),
    ("database.allocated_storage_gib", "50", "database.allocated_storage_gib", "valid integer"),
    ("database.multi_az", "true", "database.multi_az", "valid boolean"),
    ("database.rotation_days", 0, "database.rotation_days", "greater than or equal to 1"),
    ("database.rotation_days", 366, "database.rotation_days", "less than or equal to 365"),
    ("database.rotation_days", "monthly", "database.rotation_days", "valid integer"),
    ("database.audit_log", ["write", "ddl"], "database.audit_log", "must include read and write (or all)"),
    ("database.audit_log", ["read"], "database.audit_log", "must include read and write (or all)"),
    ("database.audit_log", [], "database.audit_log", "at least 1 item"),
    ("database.audit_log", ["read", "write", "read"], "database.audit_log", "lists a class twice"),
    ("database.audit_log", ["read", "write", "select"], "database.audit_log.2", "Input should be 'read', 'write'"),
    ("database.audit_log", "read,write", "database.audit_log", "valid list"),
    ("backup.retention_days", 0, "backup.retention_days", "greater than or equal to 1"),
    ("backup.retention_days", 101, "backup.retention_days", "less than or equal to 100"),
    ("backup.retention_days", 77, "backup", "over RDS's default quota of 100"),
    ("backup.hourly_retention_days", 4, "backup.hourly_retention_days", "less than or equal to 3"),
    ("database.engine_version", "17.99", "database.engine_version", "not an RDS engine version"),
    ("database.engine_version", "17.4", "database.engine_version", "deprecated"),
    ("database.instance_class", "db.x9.huge", "database.instance_class", "not offered for PostgreSQL in us-east-1"),
    ("replica.instance_class", "db.x9.huge", "replica.instance_class", "not offered for PostgreSQL in us-west-2"),
    ("access.protect", ["arn:aws:s3:::bucket"], "access.protect.0", "not a resource a regional web ACL can protect"),
    ("access.protect", ["not-an-arn"], "access.protect.0", "is not an ARN"),
    ("access.protect", ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"], "access.protect.0", "not one of the tenant's regions"),
    ("tenant_id", "acme-us-east-1", "tenant_id", "region name"),
    ("backup.copy_retention_days", 0, "backup.copy_retention_days", "greater than or equal to 1"),
    ("backup.schedule", "daily", "backup.schedule", "Extra inputs are not permitted"),
    ("replica.region", "eu-west-1", "replica.region", "outside the US regions"),
    ("replica.region", "us-east-1", "replica.region", "is the primary region"),
    ("subscription.ends_on", "next year", "subscription.ends_on", "valid date"),
    ("subscription.retrieval_days", -1, "subscription.retrieval_days", "greater than or equal to 0"),
    ("subscription.retrieval_days", 3651, "subscription.retrieval_days", "less than or equal to 3650"),
    ("compliance.controlled_goods", True, "compliance.controlled_goods", "set residency to 'ca'"),
    ("tags", {"aws:owner": "x"}, "tags.aws:owner.[key]", "reserved prefix"),
    ("tags", {"tenantkit:tenant": "x"}, "tags.tenantkit:tenant.[key]", "reserved prefix"),
    ("tags", {"k" * 129: "x"}, f"tags.{'k' * 129}.[key]", "1 to 128 characters"),
    ("tags", {"ok": "v" * 257}, "tags.ok", "at most 256 characters"),
    ("tags", {"bad!": "x"}, "tags.bad!.[key]", "may only contain"),
    ("tags", {"ok": "semi;colon"}, "tags.ok", "may only contain"),
    ("tags", {"n": 5}, "tags.n", "write the tag value as a quoted string"),
    ("tags", {f"k{i}": "v" for i in range(41)}, "tags", "at most 40 items"),
    ("surprise", 1, "surprise", "Extra inputs are not permitted"),
]

RESERVED_WORDS = ("dr", "primary", "replica", "data", "logs", "backups", "incidents", "ipv4", "ipv6", "hourly", "restores", "rotation")
"""The words tenantkit appends to tenant ids in names (README, tenant_id row)."""
INVALID += [
    ("tenant_id", tenant_id, "tenant_id", f"must not contain the word '{word}'")
    for word in RESERVED_WORDS
    for tenant_id in (word, f"acme-{word}", f"acme-{word}-x", f"{word}-acme", f"a-b-{word}-c-d")
    if len(tenant_id) >= 3
]
"""A reserved word in any place: `acme-primary-x`'s stacks would begin `tenant-acme-primary-`."""


@pytest.mark.parametrize(
    ("path", "value", "loc", "message"), INVALID, ids=[f"{p}={str(v)[:20]}" for p, v, _, _ in INVALID]
)
def test_invalid_value_is_rejected_at_its_field(path: str, value: Any, loc: str, message: str) -> None:
    found = errors_of(with_value(path, value))
    assert any(where == loc and message in text for where, text in found), found


@pytest.mark.parametrize("field", ["tenant_id", "display_name", "residency", "contacts", "access"])
def test_required_field_missing(field: str) -> None:
    data = copy.deepcopy(MINIMAL_TENANT)
    del data[field]
    assert (field, "Field required") in errors_of(data)


@pytest.mark.parametrize("field", ["allowed_cidrs", "allowed_countries"])
def test_required_access_field_missing(field: str) -> None:
    data = copy.deepcopy(MINIMAL_TENANT)
    del data["access"][field]
    assert (f"access.{field}", "Field required") in errors_of(data)


def test_defaults_are_the_documented_ones() -> None:
    tenant = TenantConfig.model_validate(MINIMAL_TENANT)
    assert tenant.database.engine_version == DEFAULT_ENGINE_VERSION
    assert tenant.database.instance_class == "db.t4g.medium"
    assert tenant.database.allocated_storage_gib == 50
    assert tenant.database.multi_az is True
    assert tenant.database.rotation_days == 30
    assert tenant.database.audit_log == ["read", "write", "ddl", "role"]
    assert (tenant.backup.retention_days, tenant.backup.copy_retention_days) == (35, 35)
    assert tenant.subscription.retrieval_days == 60
    assert tenant.access.allow_roaming is False
    assert tenant.access.rate_limit == 2000
    assert tenant.access.managed_rules.ip_reputation.action == "block"
    assert tenant.access.managed_rules.anonymous_ip.action == "block"
    assert tenant.access.break_glass_max_minutes == 60
    assert tenant.compliance.controlled_goods is False
    assert tenant.account is None and tenant.tags == {}
    assert tenant.backup.copy_hourly is True and tenant.backup.restore_testing == "weekly"
    assert tenant.availability.accept_io_pause_on_backups is False


def test_config_is_frozen() -> None:
    tenant = TenantConfig.model_validate(MINIMAL_TENANT)
    with pytest.raises(ValidationError):
        tenant.display_name = "changed"  # type: ignore[misc]
    assert isinstance(tenant.access.allowed_cidrs, tuple)


def test_cidrs_are_split_by_family_in_canonical_form() -> None:
    tenant = TenantConfig.model_validate(
        with_value("access.allowed_cidrs", ["192.0.2.0/24", "2001:0db8:0000::/48"])
    )
    assert tenant.access.ipv4_cidrs == ("192.0.2.0/24",)
    assert tenant.access.ipv6_cidrs == ("2001:db8::/48",)


def test_controlled_goods_tenant_in_canada_is_valid() -> None:
    data = with_value("compliance.controlled_goods", True)
    data["residency"] = "ca"
    data["replica"] = {"instance_class": "db.t3.medium"}
    tenant = TenantConfig.model_validate(data)
    assert tenant.regions == ("ca-central-1", "ca-west-1")


@pytest.mark.parametrize(
    ("today", "status", "deadline"),
    [
        (date(2027, 1, 31), TenantStatus.ACTIVE, date(2027, 4, 1)),
        (date(2027, 2, 1), TenantStatus.RETRIEVAL, date(2027, 4, 1)),
        (date(2027, 4, 1), TenantStatus.RETRIEVAL, date(2027, 4, 1)),
        (date(2027, 4, 2), TenantStatus.READY_FOR_DESTRUCTION, date(2027, 4, 1)),
    ],
)
def test_subscription_status_follows_the_retrieval_window(today: date, status: TenantStatus, deadline: date) -> None:
    tenant = TenantConfig.model_validate(with_value("subscription.ends_on", "2027-01-31"))
    assert tenant.subscription.retrieval_deadline == deadline
    assert tenant.subscription.status(today) is status


def test_no_end_date_means_active_forever() -> None:
    tenant = TenantConfig.model_validate(MINIMAL_TENANT)
    assert tenant.subscription.retrieval_deadline is None
    assert tenant.subscription.status(date(2999, 1, 1)) is TenantStatus.ACTIVE


def test_a_canadian_tenant_with_only_the_required_fields_gets_an_offered_replica_class() -> None:
    from tenantkit.config.rds_offerings import instance_classes

    tenant = TenantConfig.model_validate(with_value("residency", "ca"))
    chosen = tenant.replica_instance_class
    assert tenant.database.instance_class not in instance_classes(tenant.secondary_region)
    assert chosen in instance_classes(tenant.secondary_region)
    assert chosen == "db.t3.medium"  # the case: same size, same family letter
    ((path, message),) = tenant.notes()
    assert path == ("replica", "instance_class")
    assert message.startswith(f"defaults to {chosen}: {tenant.database.instance_class} is not offered")
    assert "same size, same family letter first, then the same vCPU count" in message


def test_an_explicit_replica_class_the_secondary_region_does_not_offer_is_refused() -> None:
    data = with_value("residency", "ca")
    data["replica"] = {"instance_class": "db.t4g.medium"}
    ((loc, message),) = errors_of(data)
    assert loc == "replica.instance_class"
    assert "db.t4g.medium is not offered for PostgreSQL in ca-west-1" in message
    assert "db.t3.medium" in message  # the nearest offered classes are named


def test_a_replica_class_offered_in_the_secondary_region_needs_no_note() -> None:
    tenant = TenantConfig.model_validate(MINIMAL_TENANT)
    assert tenant.replica_instance_class == tenant.database.instance_class
    assert tenant.notes() == []


def test_single_az_is_refused_without_an_accepted_io_pause() -> None:
    ((loc, message),) = errors_of(with_value("database.multi_az", False))
    assert loc == "database.multi_az"
    assert "pauses I/O at every hourly snapshot" in message
    assert "availability.accept_io_pause_on_backups" in message


def test_single_az_is_accepted_with_a_reason() -> None:
    data = with_value("database.multi_az", False)
    data["availability"] = {"accept_io_pause_on_backups": True, "reason": "the customer's CTO agreed on 2026-11-02"}
    tenant = TenantConfig.model_validate(data)
    assert tenant.availability.accept_io_pause_on_backups is True
    assert ("availability", "accept_io_pause_on_backups") not in [path for path, _ in tenant.warnings()]


def test_accepting_the_io_pause_needs_a_reason() -> None:
    data = with_value("database.multi_az", False)
    data["availability"] = {"accept_io_pause_on_backups": True}
    ((loc, message),) = errors_of(data)
    assert loc == "availability.reason"
    assert message.startswith("say why the I/O pause is accepted")


def test_accepting_the_io_pause_with_multi_az_is_a_warning() -> None:
    data = with_value("availability", {"accept_io_pause_on_backups": True, "reason": "kept from an old contract"})
    tenant = TenantConfig.model_validate(data)
    assert (("availability", "accept_io_pause_on_backups"), "has no effect: database.multi_az is true, so snapshots are taken from the standby") in tenant.warnings()


def test_hourly_copies_count_against_the_snapshot_quota_of_the_secondary_region() -> None:
    data = with_value("backup", {"hourly_retention_days": 2, "retention_days": 52, "copy_retention_days": 90})
    ((loc, message),) = errors_of(data)
    assert loc == "backup"
    assert "48 hourly + 90 daily copies would be retained per resource in the secondary region" in message
    data["backup"]["copy_hourly"] = False
    assert TenantConfig.model_validate(data).backup.copy_hourly is False


@pytest.mark.parametrize("schedule", ["hourly", "Weekly", "", 7])
def test_restore_testing_takes_a_known_schedule(schedule: Any) -> None:
    ((loc, _),) = errors_of(with_value("backup.restore_testing", schedule))
    assert loc == "backup.restore_testing"


def test_protected_arns_of_another_account_are_rejected() -> None:
    data = with_value("account", "123456789012")
    data["access"]["protect"] = ["arn:aws:appsync:us-east-1:999999999999:apis/abcdef"]
    with pytest.raises(ValidationError) as raised:
        TenantConfig.model_validate(data)
    assert "not the tenant's account 123456789012" in str(raised.value)


def test_an_empty_protect_list_is_a_warning_not_an_error() -> None:
    tenant = TenantConfig.model_validate(with_value("access.protect", []))
    assert [path for path, _ in tenant.warnings()] == [("access", "protect")]
    protected = with_value("access.protect", ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Ab12"])
    assert TenantConfig.model_validate(protected).warnings() == []
