"""One module per review section: each `build(templates)` reads the tenant's templates and
returns a `Section` of tables (what is there) and flags (what a security lead must not sign)."""

from tenantkit.review.sections import (
    audit,
    audit_logging,
    backups,
    compliance,
    encryption,
    iam,
    network,
    offboarding,
    residency,
    stores,
)

SECTIONS = (residency, encryption, stores, network, backups, audit, audit_logging, iam, offboarding, compliance)
"""In report order."""

__all__ = ["SECTIONS"]
