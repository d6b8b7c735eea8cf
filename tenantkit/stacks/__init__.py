"""The tenant's stacks (dr, primary, replica): the only place a TenantConfig becomes props."""

from tenantkit.jsii_node import ensure_jsii_node

# Every module below imports aws_cdk; jsii must start on the wheel's Node, never the system one.
ensure_jsii_node()
