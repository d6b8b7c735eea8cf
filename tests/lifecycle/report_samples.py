"""A sample destruction report with varied data, for the report's tests and the CLI's."""

from __future__ import annotations

import dataclasses

from tenantkit.lifecycle.report import (
    AuditArchive,
    AuditRecords,
    DestroyedResource,
    DestructionReport,
    KeyDeletion,
    SearchScope,
    Verification,
)

PRIMARY, SECONDARY, ACCOUNT = "ca-central-1", "ca-west-1", "111122223333"


def _resource(kind: str, name: str, arn: str, region: str = PRIMARY, minute: int = 0, **counts: int) -> DestroyedResource:
    return DestroyedResource(kind, name, arn, region, f"2026-11-30T14:{minute:02d}:05Z", counts)


def sample_report(**changes) -> DestructionReport:
    """Varied on purpose: two regions, object/recovery-point/snapshot counts, forced with a reason
    that would be markup if it were not escaped."""
    resources = (
        _resource("read replica", "tenantkit-maple-ca-replica", f"arn:aws:rds:{SECONDARY}:{ACCOUNT}:db:tenantkit-maple-ca-replica", SECONDARY, 1),
        _resource("database", "tenantkit-maple-ca", f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:db:tenantkit-maple-ca", PRIMARY, 2, automated_backups=7),
        _resource("db snapshot", "maple-manual-1", f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:snapshot:maple-manual-1", PRIMARY, 3),
        _resource("db snapshot", "maple-copy-1", f"arn:aws:rds:{SECONDARY}:{ACCOUNT}:snapshot:maple-copy-1", SECONDARY, 3),
        _resource("backup vault", "maple-ca-primary", f"arn:aws:backup:{PRIMARY}:{ACCOUNT}:backup-vault:maple-ca-primary", PRIMARY, 4, recovery_points=24),
        _resource("backup vault", "maple-ca-dr", f"arn:aws:backup:{SECONDARY}:{ACCOUNT}:backup-vault:maple-ca-dr", SECONDARY, 4, recovery_points=24),
        _resource("bucket", "maple-ca-data", "arn:aws:s3:::maple-ca-data-111122223333-ca-central-1", PRIMARY, 5, object_versions=1200, delete_markers=3),
        _resource("bucket", "maple-ca-dr", "arn:aws:s3:::maple-ca-dr-111122223333-ca-west-1", SECONDARY, 6, object_versions=1203),
        _resource("secret", "maple|ca/db", f"arn:aws:secretsmanager:{PRIMARY}:{ACCOUNT}:secret:maple-ca/db-AbCdEf", PRIMARY, 7),
        _resource("stack", "tenantkit-maple-ca-primary", f"arn:aws:cloudformation:{PRIMARY}:{ACCOUNT}:stack/tenantkit-maple-ca-primary/1", PRIMARY, 9),
    )
    keys = tuple(
        KeyDeletion(f"alias/tenantkit/maple-ca-{r}", f"arn:aws:kms:{region}:{ACCOUNT}:key/{r}-1234", region, "2026-12-30T14:10:00Z", 30)
        for r, region in (("primary", PRIMARY), ("dr", SECONDARY))
    )
    report = DestructionReport(
        tenant_id="maple-ca",
        display_name="Maple Health | Canada",
        residency="ca",
        account=ACCOUNT,
        primary_region=PRIMARY,
        secondary_region=SECONDARY,
        operator=f"arn:aws:sts::{ACCOUNT}:assumed-role/SecurityTeam/alice",
        started_at="2026-11-30T14:00:00Z",
        completed_at="2026-11-30T14:10:05Z",
        retrieval_deadline="2026-12-15",
        forced=True,
        force_reason="customer asked in writing <script>alert('x')</script> & ticket #42",
        resources=resources,
        keys=keys,
        left_to_application=(f"arn:aws:elasticloadbalancing:{PRIMARY}:{ACCOUNT}:loadbalancer/app/maple/50dc6c495c0c9188",),
        verification=Verification(ok=True, checked_at="2026-11-30T14:10:04Z"),
        tool_version="0.1.0",
        sandbox=False,
        scope=SearchScope(
            account=ACCOUNT, regions=(PRIMARY, SECONDARY), vaults=(f"{PRIMARY}/maple-ca-primary", f"{SECONDARY}/maple-ca-dr"),
            kinds=("database", "db snapshot", "bucket"), tag_search_regions=(PRIMARY, SECONDARY),
            out_of_reach=(f"AWS accounts other than {ACCOUNT}: not searched",),
        ),
        audit_records=AuditRecords(
            kept=True, keep_days=365,
            archives=(AuditArchive("operator-archive-ca", PRIMARY, "offboarded/maple-ca/2026-11-30T14:00:00Z/", 12, "2027-11-30", ("log group aws-waf-logs-tenantkit-maple-ca (ca-central-1)",)),),
            shared_trail="Records in CloudTrail event history remain 90 days; they cannot be deleted per tenant.",
        ),
    )
    return dataclasses.replace(report, **changes)


def version_1_report() -> DestructionReport:
    """A report as tenantkit wrote them before reports stated their scope (schema /1)."""
    return sample_report(scope=None, audit_records=None)


FAILED = Verification(False, "2026-11-30T14:10:04Z", ("bucket maple-ca-logs-111122223333-ca-central-1 (2 objects)",))
