"""The tenant config package: models, YAML loading, residency policy. No aws_cdk, no boto3."""

from tenantkit.config.fleet import FLEET_FILE_NAME, load_fleet, validate_fleet
from tenantkit.config.fleet_models import FleetSettings
from tenantkit.config.loader import (
    ConfigError,
    ConfigIssue,
    LoadedTenant,
    NoTenantsError,
    UnknownTenantError,
    ValidationReport,
    find_tenant,
    load_file,
    load_tenants,
    load_text,
    require_tenants,
    validate_paths,
)
from tenantkit.config.models import TenantConfig, TenantStatus
from tenantkit.config.residency import POLICIES, Residency, ResidencyPolicy, policy_for

DEFAULT_CONFIG_DIR = "tenant_configs"

__all__ = [
    "DEFAULT_CONFIG_DIR",
    "FLEET_FILE_NAME",
    "POLICIES",
    "ConfigError",
    "ConfigIssue",
    "FleetSettings",
    "LoadedTenant",
    "NoTenantsError",
    "Residency",
    "ResidencyPolicy",
    "TenantConfig",
    "TenantStatus",
    "UnknownTenantError",
    "ValidationReport",
    "find_tenant",
    "load_file",
    "load_fleet",
    "load_tenants",
    "load_text",
    "policy_for",
    "require_tenants",
    "validate_fleet",
    "validate_paths",
]
