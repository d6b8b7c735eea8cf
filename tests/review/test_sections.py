"""Each review section on every synthesized example tenant, checked against its tenant file."""

from __future__ import annotations

from typing import Any

import pytest

from tenantkit.config import TenantConfig
from tenantkit.naming import names_for
from tests.review.conftest import CLEAN_TENANT, DETECTION_GAP, Examples, section, table

pytestmark = pytest.mark.slow
TENANTS = ("maple-ca", "northwind-us", "polar-cg", "rhein-de")


@pytest.fixture(params=TENANTS)
def tenant(request: pytest.FixtureRequest, examples: Examples, reviews: dict[str, dict[str, Any]]) -> tuple[TenantConfig, dict[str, Any]]:
    return examples.configs[request.param], reviews[request.param]


def test_every_section_is_there_in_order(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    _, model = tenant
    assert [s["title"] for s in model["sections"]] == [
        "Residency", "Encryption map", "Stores and their policies", "Network exposure", "Backups and replication",
        "Audit and detection", "Audit logging", "IAM", "Offboarding readiness", "Compliance", "Break-glass grants",
    ]


def test_residency_every_stack_and_copy_is_in_the_tenant_regions(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    config, model = tenant
    assert model["residency"] == config.residency.value
    assert set(model["zone"]) == set(config.policy.zone)
    stacks = table(model, "residency", "Where the stacks live")
    assert {row["Region"] for row in stacks} == {config.primary_region, config.secondary_region}
    copies = table(model, "residency", "Where copies of the data go")
    assert {row["Copy"] for row in copies} >= {"bucket replication", "backup copy (Daily)", "read replica", "secret replica"}
    assert {row["Region"] for row in copies} == {config.secondary_region}
    assert all(row["In the zone"] == "yes" for row in [*stacks, *copies])
    assert not section(model, "residency")["flags"]


def test_encryption_every_data_store_uses_the_key_of_its_region(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    config, model = tenant
    rows = table(model, "encryption", "Data and the key that encrypts it")
    kinds = {row["Kind"] for row in rows}
    assert kinds >= {"bucket", "database storage", "read replica storage", "backup vault", "log group", "topic", "secret"}
    for row in rows:
        if row["Kind"] == "access-log bucket":
            assert row["Key"] == "S3-managed key (SSE-S3)" and "access logs" in row["Note"]
        elif row["Kind"] == "topic":  # the incident topics have their own key, never the data key
            assert row["Key"].startswith("incident key"), row
        elif row["Resource"].startswith(f"tenant-{config.tenant_id}-primary/") and not row["Kind"].startswith("secret replica"):
            assert row["Key"].startswith("tenant key") and f"({config.primary_region})" in row["Key"], row
        else:
            assert row["Key"].startswith("DR key") and f"({config.secondary_region})" in row["Key"], row
    keys = table(model, "encryption", "Keys")
    assert {(row["Region"], row["Rotation"]) for row in keys} == {(config.primary_region, "yearly"), (config.secondary_region, "yearly")}
    names = names_for(config.tenant_id, config.account or "", config.primary_region, config.secondary_region, config.generation)
    assert {row["Alias"] for row in keys} == {names.key_alias, names.incident_key_alias}  # the data keys and the incident topics' own
    uses = " ".join(row["In plain words"] for row in table(model, "encryption", "Who may use each key"))
    assert f":role/tenantkit/{config.tenant_id}/*" in uses  # the tenant's roles, by path
    assert "principals tagged" not in uses  # never by a tag anyone with iam:TagRole can set
    assert not section(model, "encryption")["flags"]


def test_network_states_the_tenant_access_rules(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    config, model = tenant
    summary = section(model, "network")["summary"]
    ipv4 = sum(1 for net in config.access.allowed_cidrs if ":" not in str(net))
    ipv6 = len(config.access.allowed_cidrs) - ipv4
    assert f"Countries allowed: {', '.join(sorted(config.access.allowed_countries))}." in summary
    assert f"Networks allowed: {ipv4} IPv4 and {ipv6} IPv6 networks (the same list in each region)." in summary
    assert any(line.startswith("Roaming: requests from the allowed countries") for line in summary) == config.access.allow_roaming
    assert "Public endpoints: none." in summary
    acls = table(model, "network", "Web ACLs")
    assert {row["Default action"] for row in acls} == {"block"}
    protected = {arn for row in acls for arn in row["Protects"].split(", ") if arn != "nothing"}
    assert protected == set(config.access.protect)
    unprotected = {row["Region"] for row in acls if row["Protects"] == "nothing"}
    expected = {r for r in config.regions if not any(f":{r}:" in arn for arn in config.access.protect)}
    assert unprotected == expected
    assert len(section(model, "network")["flags"]) == len(expected)  # a web ACL that protects nothing is flagged
    words = {row["Rule"]: row["In plain words"] for row in table(model, "network", "Web ACL rules, in order")}
    assert words["RateLimitPerClientIp"] == f"Block requests more than {config.access.rate_limit} requests per 300 s from one address"
    settings = config.access.managed_rules
    for group, setting in (("AWSManagedRulesAmazonIpReputationList", settings.ip_reputation), ("AWSManagedRulesAnonymousIpList", settings.anonymous_ip)):
        verb = "Only count (not block)" if setting.action == "count" else "Apply"
        assert words[group] == f"{verb} AWS managed rule group {group}"


def test_backups_hourly_with_the_tenant_retentions(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    config, model = tenant
    plans = {row["Rule"]: row for row in table(model, "backups", "Backup plans")}
    assert plans["Hourly"]["Schedule"].startswith("every hour")
    assert plans["Hourly"]["Kept"] == f"{config.backup.hourly_retention_days} day" + ("s" if config.backup.hourly_retention_days > 1 else "")
    assert plans["Daily"]["Kept"] == f"{config.backup.retention_days} days"
    assert plans["Daily"]["Copies (region, kept)"] == f"{config.secondary_region}, {config.backup.copy_retention_days} days"
    assert plans["Continuous"]["Schedule"].startswith("continuous (point-in-time restore)")
    databases = {row["Role"].split(" of ")[0]: row for row in table(model, "backups", "Databases")}
    assert databases["primary"]["Backup retention"] == f"{config.backup.retention_days} days"
    assert databases["primary"]["Multi-AZ"] == ("yes" if config.database.multi_az else "no")
    assert databases["read replica"]["Deletion protection"] == databases["primary"]["Deletion protection"] == "yes"
    (replication,) = table(model, "backups", "Bucket replication")
    assert replication["Scope"] == "every object" and replication["Replication Time Control"] == "on, 15 minutes"
    assert replication["Destination"].endswith(f"-{config.secondary_region}")
    assert not section(model, "backups")["flags"]


def test_backups_the_rpo_per_store_as_built_meets_the_tenant_files_promise(
    tenant: tuple[TenantConfig, dict[str, Any]], examples: Examples
) -> None:
    from tenantkit.config.promises import PRIMARY_REGION, rpo_promises
    from tenantkit.review import review_assembly

    config, _ = tenant
    promised = rpo_promises(config)
    model = review_assembly(examples.assembly(config.tenant_id), config.tenant_id, lint_findings=(), promised_rpo=promised)
    rows = table(model, "backups", "Recovery point per store")
    assert {(row["Store"], row["Region"], row["Copy"]) for row in rows} == {
        (store, region, copy) for store in ("database", "files")
        for region, copy in ((config.primary_region, PRIMARY_REGION), (config.secondary_region, "live copy"),
                             (config.secondary_region, "from backups"))
    }
    assert all(row["Promised"] == promised[row["Store"]][row["Copy"]] for row in rows)
    assert not section(model, "backups")["flags"]


def test_audit_logging_covers_buckets_waf_databases_and_networks(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    config, model = tenant
    rows = table(model, "logging", "What is logged where")
    logs = {row["Log"].split(" (")[0] for row in rows}
    assert logs >= {"S3 access logs", "WAF logs", "database postgresql log", "VPC flow logs"}
    waf = [row for row in rows if row["Log"].startswith("WAF logs")]
    assert {row["Destination"].split(" ")[2] for row in waf} == {f"aws-waf-logs-tenantkit-{config.tenant_id}"}
    assert all(row["Kept"] != "never expires" for row in rows if row["Log"] != "S3 access logs")
    assert not section(model, "logging")["flags"]


def test_iam_roles_are_for_services_without_wildcards(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    _, model = tenant
    roles = table(model, "iam", "Roles")
    # every role is a service's, but the two operator roles the account assumes (break-glass with MFA)
    operators = [row["Role"] for row in roles if not row["Who can assume it"].startswith("the ")]
    assert roles and sorted(role.split("/")[1].rstrip("0123456789ABCDEF") for role in operators) == ["RolesBreakGlassRole", "RolesOffboardingRole"]
    permissions = table(model, "iam", "What each role may do")
    managed = [row for row in permissions if row["Actions"].startswith("the actions of AWS-managed ")]
    # AWS-managed policies are shown as what they are (Resource *), not hidden, and not flagged
    assert managed and all(row["Resources"] == "*" and row["Wildcards"].startswith("wildcard resource '*' (AWS-managed") for row in managed)
    assert all(row["Wildcards"] == "—" for row in permissions if row not in managed)
    assert not section(model, "iam")["flags"]


def test_compliance_lists_packs_acknowledgments_rules_and_lint(tenant: tuple[TenantConfig, dict[str, Any]]) -> None:
    _, model = tenant
    summary = " ".join(section(model, "compliance")["summary"])
    for pack in ("AWS Solutions", "NIST 800-53 rev 5", "HIPAA Security", "PCI DSS 3.2.1"):
        assert pack in summary
    assert "cfn-lint: no findings." in summary
    acknowledged = table(model, "compliance", "Acknowledged findings")
    assert acknowledged and all(row["Reason"] for row in acknowledged)
    assert any(row["Rule"].startswith("AwsSolutions-") for row in acknowledged)
    rules = table(model, "compliance", "tenantkit isolation rules")
    assert {row["Result"] for row in rules} <= {"compliant", "not-applicable"}
    assert not section(model, "compliance")["flags"]


def test_the_clean_example_flags_nothing_but_the_detection_not_built_yet(reviews: dict[str, dict[str, Any]]) -> None:
    found = [flag for s in reviews[CLEAN_TENANT]["sections"] for flag in s["flags"]]
    assert [flag for flag in found if not flag["message"].startswith(DETECTION_GAP)] == []
    assert reviews[CLEAN_TENANT]["flagged"] == len(found)


def test_the_nag_pack_names_are_the_packs_synth_runs() -> None:
    import aws_cdk

    from tenantkit.compliance.nag import PACKS
    from tenantkit.review.sections.compliance import NAG_PACKS

    app = aws_cdk.App()
    assert {pack(app).read_pack_name for pack in PACKS} == set(NAG_PACKS)
