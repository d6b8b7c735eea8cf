"""A read replica's source allows replicas: no RDS-managed master password, automated backups on.

Constraint: RDS refuses to create a read replica of a DB instance whose master password it manages
in Secrets Manager (`ManageMasterUserPassword: true`; every engine but SQL Server), and the source
must keep automated backups (`BackupRetentionPeriod` > 0; absent means the default, 1 day).

Sources:
- https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations
  lists as unsupported "Creating a read replica when the source DB manages credentials with Secrets
  Manager. This applies to all DB engines except RDS for SQL Server" (translated from the
  China-partition copy); the error users get
  (https://github.com/terraform-aws-modules/terraform-aws-rds/issues/532): "Creating read replicas
  for source instance with engine mysql where ManageMasterUserPassword is enabled is not supported."
- https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html:
  "The specified DB instance must have automatic backups enabled, that is, its backup retention
  period must be greater than 0."

cfn-lint misses it: the source and its replica live in different templates (and regions), and
cfn-lint reads one template at a time.
"""

from __future__ import annotations

from tenantkit.compliance.assembly import TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import of_type, parse_arn, read_replicas

RULE = "read-replica-source-allows-replicas"


def _source_identifier(replica: dict, region: str) -> str:
    source = replica["Properties"]["SourceDBInstanceIdentifier"]
    arn = parse_arn(source, region)
    if arn is not None and arn["resource"].startswith("db:"):
        return arn["resource"].removeprefix("db:").lower()
    return render(source).lower()


def replica_sources_allow_replicas(assembly: TenantAssembly) -> RuleResult:
    instances = {
        render(instance["Properties"]["DBInstanceIdentifier"]).lower(): (
            stack,
            logical_id,
            instance,
        )
        for stack, logical_id, instance in of_type(assembly, "AWS::RDS::DBInstance")
        if "DBInstanceIdentifier" in instance.get("Properties", {})
    }
    replicas = read_replicas(assembly)
    findings: list[str] = []
    for stack, logical_id, replica in replicas:
        replica_at = f"{stack.name}/{logical_id}"
        source_id = _source_identifier(replica, stack.region)
        if source_id not in instances:
            findings.append(
                f"{replica_at}: its source {source_id!r} is no DB instance of the tenant's stacks"
            )
            continue
        source_stack, source_logical_id, source = instances[source_id]
        source_at = f"{source_stack.name}/{source_logical_id}"
        properties = source["Properties"]
        if render(properties.get("ManageMasterUserPassword", False)).lower() == "true":
            findings.append(
                f"{source_at}: ManageMasterUserPassword is on, so RDS refuses to create the read "
                f"replica {replica_at}; keep the master password in a Secrets Manager secret of "
                "your own instead"
            )
        if render(properties.get("BackupRetentionPeriod", 1)) == "0":
            findings.append(
                f"{source_at}: BackupRetentionPeriod 0 disables automated backups, which the read "
                f"replica {replica_at} needs; keep it at 1 or more"
            )
    return RuleResult.of(RULE, list(dict.fromkeys(findings)), applicable=bool(replicas))
