"""One module per review section: each `build(templates)` reads the tenant's templates and
returns a `Section` of tables (what is there) and flags (what a security lead must not sign)."""

from tenantkit.review.sections import audit_logging, backups, compliance, encryption, iam, network, residency

SECTIONS = (residency, encryption, network, backups, audit_logging, iam, compliance)
"""In report order."""

__all__ = ["SECTIONS"]
