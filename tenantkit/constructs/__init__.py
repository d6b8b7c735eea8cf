"""The tenant's building blocks: one construct per logical unit, each keeping one security promise.

Constructs take frozen `*Props` dataclasses with CDK types and never see tenant YAML; the stacks in
`tenantkit.stacks` turn a `TenantConfig` into props.
"""

from tenantkit.jsii_node import ensure_jsii_node

# Every module below imports aws_cdk; jsii must start on the wheel's Node, never the system one.
ensure_jsii_node()
