"""tenantkit: one YAML file per customer becomes an isolated, encrypted, replicated AWS deployment."""

__version__ = "0.1.0"
