"""Restores and drills: a tenant's data brought back beside the live data, never over it, and the
signed evidence that this works (`drill`). Service functions over injected sessions; the CLI
imports only what this module exports."""

from tenantkit.lifecycle.restore.drill import (
    SCHEMA as DRILL_SCHEMA,
)
from tenantkit.lifecycle.restore.drill import (
    DrillError,
    DrillFiles,
    DrillReport,
    StoreCheck,
    canonical_json,
    promised_rpo,
    read_drill_report,
    run_drill,
    write_drill_report,
)
from tenantkit.lifecycle.restore.export import ExportResult, PresignedUrl, check_export_name, export_urls, start_export
from tenantkit.lifecycle.restore.failover import (
    FailoverStatus,
    failback_plan,
    failover_status,
    start_failover,
)
from tenantkit.lifecycle.restore.failover import (
    check_confirmation as check_failover_confirmation,
)
from tenantkit.lifecycle.restore.model import (
    Environment,
    ListedRestore,
    Restored,
    RestoreRefused,
    RestoreRequest,
    RestoreResult,
    Store,
)
from tenantkit.lifecycle.restore.service import (
    check_may_restore,
    check_request,
    default_name,
    discard_restore,
    environment,
    list_restores,
    parse_time,
    region_of,
    start_restore,
    tenant,
)

__all__ = [
    "DRILL_SCHEMA",
    "DrillError",
    "DrillFiles",
    "DrillReport",
    "FailoverStatus",
    "Environment",
    "ExportResult",
    "ListedRestore",
    "PresignedUrl",
    "RestoreRefused",
    "RestoreRequest",
    "RestoreResult",
    "Restored",
    "Store",
    "StoreCheck",
    "canonical_json",
    "check_export_name",
    "check_failover_confirmation",
    "check_may_restore",
    "check_request",
    "default_name",
    "discard_restore",
    "environment",
    "export_urls",
    "failback_plan",
    "failover_status",
    "list_restores",
    "parse_time",
    "promised_rpo",
    "read_drill_report",
    "region_of",
    "run_drill",
    "start_export",
    "start_failover",
    "start_restore",
    "tenant",
    "write_drill_report",
]
