"""The tenant config language: one strict, frozen pydantic model per section of a tenant file.

Field names are the user-facing contract. Every model forbids unknown keys (a typo is an error,
never a silently ignored setting) and is frozen (downstream code cannot change what was
validated). Values are strict: YAML's `multi_az: "yes"` or `engine_version: 16.10` (a float that
would silently become 16.1) are rejected with a message that says how to write them.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, timedelta
from enum import Enum
from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from tenantkit.config.residency import Residency, ResidencyPolicy, check_secondary_region, policy_for

DEFAULT_ENGINE_VERSION = "17.9"
MAX_CIDRS = 10_000
MAX_CONFIG_TAGS = 40  # AWS allows 50 tags per resource; tenantkit adds its own.
RESERVED_TENANT_PREFIXES = ("aws", "amazon", "tenantkit")
RESERVED_TAG_PREFIXES = ("aws:", "tenantkit:")


class Strict(BaseModel):
    """Base of every config model: unknown keys are errors, values are not coerced, frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _reject_non_string(what: str, example: str) -> Any:
    """A before-validator that explains how to quote a value YAML read as a number or boolean."""

    def check(value: Any) -> Any:
        if isinstance(value, bool | int | float):
            kind = "boolean" if isinstance(value, bool) else "number"
            raise ValueError(
                f"write the {what} as a quoted string, e.g. '{example}' "
                f"(YAML read {value!r} as a {kind})"
            )
        return value

    return BeforeValidator(check)


# --- tenant id -------------------------------------------------------------------------------

_TENANT_ID_CHARS = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")


def _check_tenant_id(value: str) -> str:
    if not 3 <= len(value) <= 30:
        raise ValueError(f"must be 3 to 30 characters long (got {len(value)})")
    if not _TENANT_ID_CHARS.fullmatch(value):
        raise ValueError(
            "use lower-case letters, digits and single hyphens, starting with a letter "
            "and ending with a letter or digit"
        )
    if "--" in value:
        raise ValueError("must not contain '--'")
    for prefix in RESERVED_TENANT_PREFIXES:
        if value.startswith(prefix):
            raise ValueError(f"must not start with the reserved prefix '{prefix}'")
    return value


TenantId = Annotated[str, AfterValidator(_check_tenant_id)]


# --- networks and countries ------------------------------------------------------------------


def _check_cidr(value: str) -> str:
    """Parse one allow-list network; return it in canonical form."""
    text = value.strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as strict_error:
        try:
            meant = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(f"'{value}' is not an IPv4 or IPv6 network ({strict_error})") from None
        raise ValueError(f"'{value}' has host bits set; did you mean {meant}?") from None
    if "/" not in text:
        raise ValueError(
            f"'{value}' has no prefix length; write {network} for a single address"
        )
    if network.prefixlen == 0:
        raise ValueError(f"'{value}' would allow everyone; list real networks")
    return str(network)


Cidr = Annotated[str, _reject_non_string("network", "192.0.2.0/24"), AfterValidator(_check_cidr)]


@cache
def iso_country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes, from pycountry (loaded on first use: it is not free)."""
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


_COUNTRY_HINTS = {"UK": "GB", "EL": "GR"}


def _check_country(value: str) -> str:
    if value.upper() != value and value.upper() in iso_country_codes():
        raise ValueError(f"country codes are upper case: write '{value.upper()}'")
    if value not in iso_country_codes():
        hint = _COUNTRY_HINTS.get(value.upper())
        suffix = f"; did you mean '{hint}'?" if hint else ""
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code{suffix}")
    return value


CountryCode = Annotated[str, AfterValidator(_check_country)]


def _duplicates(values: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


# --- tags ------------------------------------------------------------------------------------

_TAG_CHARS = re.compile(r"^[\w\s.:/=+\-@]*$")


def _check_tag_key(key: str) -> str:
    if not 1 <= len(key) <= 128:
        raise ValueError(f"tag key '{key[:40]}' must be 1 to 128 characters long")
    if key.lower().startswith(RESERVED_TAG_PREFIXES):
        raise ValueError(f"tag key '{key}' uses a reserved prefix (aws: or tenantkit:)")
    if not _TAG_CHARS.fullmatch(key):
        raise ValueError(
            f"tag key '{key}' may only contain letters, digits, spaces and _ . : / = + - @"
        )
    return key


def _check_tag_value(value: str) -> str:
    if len(value) > 256:
        raise ValueError(f"tag value must be at most 256 characters long (got {len(value)})")
    if not _TAG_CHARS.fullmatch(value):
        raise ValueError("tag value may only contain letters, digits, spaces and _ . : / = + - @")
    return value


TagKey = Annotated[str, AfterValidator(_check_tag_key)]
TagValue = Annotated[str, _reject_non_string("tag value", "1234"), AfterValidator(_check_tag_value)]


# --- sections --------------------------------------------------------------------------------


class Contacts(Strict):
    security_email: EmailStr = Field(
        description="Where security incidents, backup failures and alarms are sent."
    )


class Access(Strict):
    # Lists in YAML become tuples here (frozen); strict=False only lets a list stand for a tuple,
    # each item is still checked strictly.
    allowed_cidrs: tuple[Cidr, ...] = Field(
        strict=False,
        min_length=1,
        max_length=MAX_CIDRS,
        description="IPv4 and IPv6 networks (office ranges, VPN) allowed through the WAF.",
    )
    allowed_countries: tuple[CountryCode, ...] = Field(
        strict=False,
        min_length=1,
        description="ISO 3166-1 alpha-2 country codes; requests from elsewhere are blocked.",
    )
    allow_roaming: bool = Field(
        default=False,
        description=(
            "Allow requests from allowed countries outside the allow-list, marked with a "
            "roaming header so the application can apply its per-user policy."
        ),
    )

    @field_validator("allowed_cidrs")
    @classmethod
    def _no_duplicate_networks(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        if repeated := _duplicates(cidrs):
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return cidrs

    @field_validator("allowed_countries")
    @classmethod
    def _no_duplicate_countries(cls, countries: tuple[str, ...]) -> tuple[str, ...]:
        if repeated := _duplicates(countries):
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return countries

    @property
    def ipv4_cidrs(self) -> tuple[str, ...]:
        return tuple(c for c in self.allowed_cidrs if ":" not in c)

    @property
    def ipv6_cidrs(self) -> tuple[str, ...]:
        return tuple(c for c in self.allowed_cidrs if ":" in c)


_ENGINE_VERSION = re.compile(r"^(\d+)\.(\d+)$")
_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")


def _engine_version_text(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f"pin a minor version, quoted, such as '{value}.1' or '{DEFAULT_ENGINE_VERSION}', "
            "not the major version alone"
        )
    return value


def _check_engine_version(value: str) -> str:
    if re.fullmatch(r"\d+", value):
        raise ValueError(
            f"pin a minor version such as '{value}.0' or '{DEFAULT_ENGINE_VERSION}', "
            "not the major version alone"
        )
    match = _ENGINE_VERSION.fullmatch(value)
    if not match:
        raise ValueError(f"'{value}' is not a PostgreSQL version like '{DEFAULT_ENGINE_VERSION}'")
    if int(match.group(1)) < 13:
        raise ValueError(f"PostgreSQL {match.group(1)} is past end of support; use 13 or newer")
    return value


def _check_instance_class(value: str) -> str:
    if not _INSTANCE_CLASS.fullmatch(value):
        raise ValueError(f"'{value}' does not look like db.<family>.<size>, e.g. db.t4g.medium")
    return value


class Database(Strict):
    engine_version: Annotated[
        str,
        _reject_non_string("engine version", DEFAULT_ENGINE_VERSION),
        BeforeValidator(_engine_version_text),
        AfterValidator(_check_engine_version),
    ] = Field(default=DEFAULT_ENGINE_VERSION, description="Pinned PostgreSQL major.minor version.")
    instance_class: Annotated[str, AfterValidator(_check_instance_class)] = Field(
        default="db.t4g.medium", description="RDS instance class, db.<family>.<size>."
    )
    allocated_storage_gib: int = Field(default=50, ge=20, le=65536)
    multi_az: bool = Field(default=True, description="Standby in a second availability zone.")


class Backup(Strict):
    """Backups run every hour: that is the promise, not a setting."""

    retention_days: int = Field(default=35, ge=1, le=365, description="Days hourly backups are kept.")
    copy_retention_days: int = Field(
        default=35, ge=1, le=365, description="Days the copies in the secondary region are kept."
    )


class Replica(Strict):
    region: str | None = Field(
        default=None,
        description="Secondary region override; must be inside the residency zone.",
    )


class TenantStatus(str, Enum):
    ACTIVE = "active"
    RETRIEVAL = "retrieval"
    READY_FOR_DESTRUCTION = "ready-for-destruction"


class Subscription(Strict):
    ends_on: Annotated[date | None, Field(strict=False)] = Field(
        default=None, description="Last day of the subscription (YYYY-MM-DD)."
    )
    retrieval_days: int = Field(
        default=60, ge=0, le=3650, description="Days data stays retrievable after ends_on."
    )

    @property
    def retrieval_deadline(self) -> date | None:
        """The last day the customer can retrieve its data; destruction may start the day after."""
        if self.ends_on is None:
            return None
        return self.ends_on + timedelta(days=self.retrieval_days)

    def status(self, today: date) -> TenantStatus:
        if self.ends_on is None or today <= self.ends_on:
            return TenantStatus.ACTIVE
        deadline = self.retrieval_deadline
        assert deadline is not None
        if today <= deadline:
            return TenantStatus.RETRIEVAL
        return TenantStatus.READY_FOR_DESTRUCTION


class Compliance(Strict):
    controlled_goods: bool = Field(
        default=False,
        description="Canadian Controlled Goods Program tenant: residency 'ca', every copy in Canada.",
    )


def _check_account(value: str) -> str:
    if not re.fullmatch(r"\d{12}", value):
        raise ValueError(f"'{value}' is not a 12-digit AWS account id")
    return value


class TenantConfig(Strict):
    """One customer: what it gets, where its data lives, who may reach it, and until when."""

    tenant_id: TenantId = Field(description="Lower-case id; equals the file name without .yaml.")
    display_name: str = Field(min_length=1, max_length=80)
    residency: Annotated[Residency, Field(strict=False)] = Field(
        description="Where the data lives: us, ca or de."
    )
    account: Annotated[
        str, _reject_non_string("account id", "123456789012"), AfterValidator(_check_account)
    ] | None = Field(default=None, description="12-digit AWS account id, quoted.")
    contacts: Contacts
    access: Access
    database: Database = Database()
    backup: Backup = Backup()
    replica: Replica = Replica()
    subscription: Subscription = Subscription()
    compliance: Compliance = Compliance()
    tags: dict[TagKey, TagValue] = Field(
        default_factory=dict,
        max_length=MAX_CONFIG_TAGS,
        description="Extra cost-allocation tags on every resource.",
    )

    @model_validator(mode="after")
    def _regions_stay_in_the_zone(self) -> TenantConfig:
        problems: list[InitErrorDetails] = []
        if self.replica.region is not None:
            try:
                check_secondary_region(self.policy, self.replica.region)
            except ValueError as error:
                problems.append(_error(("replica", "region"), self.replica.region, str(error)))
        if self.compliance.controlled_goods and self.residency is not Residency.CA:
            problems.append(
                _error(
                    ("compliance", "controlled_goods"),
                    True,
                    "a Controlled Goods tenant keeps every copy in Canada: "
                    f"set residency to 'ca' (found '{self.residency.value}')",
                )
            )
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    @property
    def policy(self) -> ResidencyPolicy:
        return policy_for(self.residency)

    @property
    def primary_region(self) -> str:
        return self.policy.primary_region

    @property
    def secondary_region(self) -> str:
        return self.replica.region or self.policy.default_secondary_region

    @property
    def regions(self) -> tuple[str, str]:
        return (self.primary_region, self.secondary_region)


def _error(loc: tuple[str, ...], value: Any, message: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("residency", message), loc=loc, input=value
    )
