"""The fleet: which tenants a run takes (shards, changes since a git ref), CI workflows that run
the checks on a CI's own parallel matrix, and the fleet's status at a glance.

No aws_cdk, boto3 or typer at import time: the CLI imports these on every fleet command.
"""

from tenantkit.fleet.selection import Shard, ShardError, change_impact, in_shard, parse_shard, shard_of
from tenantkit.fleet.service import Selection, SelectionError, select_tenants, tenant_ids_in

__all__ = [
    "Selection",
    "SelectionError",
    "Shard",
    "ShardError",
    "change_impact",
    "in_shard",
    "parse_shard",
    "select_tenants",
    "shard_of",
    "tenant_ids_in",
]
