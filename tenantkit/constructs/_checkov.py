"""Record on a resource why a checkov check does not apply to it, where a reviewer reads it."""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import IConstruct


def skip_checkov(scope: IConstruct, check_id: str, reason: str) -> None:
    """Add `{"checkov": {"skip": [{"id": check_id, "comment": reason}]}}` to the resource's
    metadata (the form checkov reads in CloudFormation templates)."""
    resource = scope if isinstance(scope, CfnResource) else scope.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{scope.node.path} has no CloudFormation resource to annotate")
    existing = resource.get_metadata("checkov") or {}
    skips = [*existing.get("skip", []), {"id": check_id, "comment": reason}]
    resource.add_metadata("checkov", {**existing, "skip": skips})
