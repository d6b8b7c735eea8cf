"""The local AWS sandbox: moto's server in the background on 127.0.0.1, managed by tenantkit.

`tenantkit.sandbox.process` starts, finds, resets and stops it; `tenantkit.sandbox.serve` is the
process itself. No boto3 or moto import here: the CLI imports this package to manage a server.
"""

from tenantkit.sandbox.process import (
    SandboxError,
    SandboxStatus,
    reset_sandbox,
    sandbox_clock,
    sandbox_status,
    start_sandbox,
    stop_sandbox,
)

__all__ = ["SandboxError", "SandboxStatus", "reset_sandbox", "sandbox_clock", "sandbox_status", "start_sandbox", "stop_sandbox"]
