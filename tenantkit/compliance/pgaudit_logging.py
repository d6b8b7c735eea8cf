"""Every PostgreSQL instance (primary and replica) audits its sessions and its data access.

Constraints, for each `AWS::RDS::DBInstance` of the tenant:
- `DBParameterGroupName` is a `Ref` to an `AWS::RDS::DBParameterGroup` of the same stack (RDS's
  default group cannot be changed, so it can audit nothing) whose `Parameters` set
  `shared_preload_libraries` to a list including `pgaudit`, `pgaudit.log` to classes including
  `read` and `write` (or `all`), and `log_connections` and `log_disconnections` on (`1`);
- `EnableCloudwatchLogsExports` includes `postgresql`: the server log holding the AUDIT and
  connection lines leaves the instance for the tenant's encrypted log group.

Sources:
- https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.pgaudit.basic-setup.html
  (pgAudit is added to `shared_preload_libraries` of a custom DB parameter group, the instance
  rebooted, then `CREATE EXTENSION pgaudit`) and
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.pgaudit.auditing.html
  (`pgaudit.log`).
- https://github.com/pgaudit/pgaudit#pgauditlog (READ: SELECT and COPY from a relation; WRITE:
  INSERT, UPDATE, DELETE, TRUNCATE and COPY to a relation).
- https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html
  (`log_connections`, `log_disconnections`; publishing the `postgresql` log to CloudWatch Logs).
- https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html (RDS.36: RDS for
  PostgreSQL DB instances should publish logs to CloudWatch Logs).
"""

from __future__ import annotations

from typing import Any

from tenantkit.compliance.assembly import TenantAssembly
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import of_type, reference

RULE = "pgaudit-and-connection-logging"
AUDITED_CLASSES = ("read", "write")
ON = ("1", "on", "true")


def _words(value: Any) -> set[str]:
    return {word.strip().lower() for word in str(value).split(",") if word.strip()} if isinstance(value, str) else set()


def _parameter_problems(parameters: dict[str, Any]) -> list[str]:
    problems = []
    if "pgaudit" not in _words(parameters.get("shared_preload_libraries")):
        problems.append("shared_preload_libraries does not include pgaudit")
    classes = _words(parameters.get("pgaudit.log"))
    if "all" not in classes and not set(AUDITED_CLASSES) <= classes:
        problems.append(f"pgaudit.log ({parameters.get('pgaudit.log', 'unset')}) does not log read and write")
    for name in ("log_connections", "log_disconnections"):
        if str(parameters.get(name, "")).lower() not in ON:
            problems.append(f"{name} is not on")
    return problems


def instances_audit_sessions_and_data_access(assembly: TenantAssembly) -> RuleResult:
    instances = of_type(assembly, "AWS::RDS::DBInstance")
    findings = []
    for stack, logical_id, instance in instances:
        where = f"{stack.name}/{logical_id}"
        properties = instance.get("Properties", {})
        target = reference(properties.get("DBParameterGroupName"))
        group = stack.resources.get(target[0]) if target else None
        if target is None or group is None or group.get("Type") != "AWS::RDS::DBParameterGroup":
            findings.append(f"{where}: no parameter group of the stack (DBParameterGroupName); RDS's default cannot load pgaudit")
        else:
            parameters = group.get("Properties", {}).get("Parameters", {})
            findings += [f"{where}: its parameter group {target[0]}: {p}" for p in _parameter_problems(parameters)]
        if "postgresql" not in (properties.get("EnableCloudwatchLogsExports") or []):
            findings.append(f"{where}: the postgresql log (AUDIT and connection lines) is not exported (EnableCloudwatchLogsExports)")
    return RuleResult.of(RULE, findings, applicable=bool(instances))
