"""Small cloud assemblies written by hand, in the form CDK writes them (manifest.json naming each
stack's environment and template file): the tenant's three stacks, each holding one SNS topic
whose display name the test chooses, so the templates differ where a test wants them to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tenantkit.naming import stack_names


def stack_template(value: str) -> dict[str, Any]:
    return {
        "Resources": {"Marker": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": value[:100]}}},
    }


def write_assembly(root: Path, tenant_id: str, regions: tuple[str, str], account: str = "123456789012", value: str = "v1") -> list[str]:
    """Write `root/<tenant_id>/` (dr in the secondary region, primary, replica in the secondary);
    return the stack names."""
    directory = root / tenant_id
    directory.mkdir(parents=True, exist_ok=True)
    names = stack_names(tenant_id)
    stack_regions = (regions[1], regions[0], regions[1])
    artifacts = {}
    for name, region in zip(names, stack_regions, strict=True):
        (directory / f"{name}.template.json").write_text(json.dumps(stack_template(f"{name}-{value}"), indent=1))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": f"aws://{account}/{region}",
            "properties": {"templateFile": f"{name}.template.json"},
        }
    (directory / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    return list(names)
