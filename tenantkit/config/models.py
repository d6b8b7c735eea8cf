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
from typing import Annotated, Any, Literal

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

from tenantkit.aws import parse_arn
from tenantkit.config.residency import Residency, ResidencyPolicy, check_secondary_region, policy_for

DEFAULT_ENGINE_VERSION = "17.9"
MAX_CIDRS = 10_000
MAX_CONFIG_TAGS = 40  # AWS allows 50 tags per resource; tenantkit adds its own.
RESERVED_TENANT_PREFIXES = ("aws", "amazon", "tenantkit")
RESERVED_TAG_PREFIXES = ("aws:", "tenantkit:")
MAX_RETAINED_SNAPSHOTS = 100
"""RDS's default quota of manual DB instance snapshots per region (RDS User Guide, "Quotas and
constraints": "Manual DB instance snapshots: 100"). Only automated backups are exempt ("Manual
snapshot limits (100 per Region) don't apply to automated backups",
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html); the
snapshots AWS Backup takes are not RDS automated backups, and no AWS document exempts them, so
tenantkit counts them against the quota and keeps every resource's retained snapshots per region
within it. The quota is per account and region: a fleet sharing an account needs it raised."""
HOURS_PER_DAY = 24


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
    from tenantkit.naming import NAME_WORDS, REGION_NAME

    reserved = [word for word in value.split("-") if word in NAME_WORDS]
    if reserved:
        raise ValueError(
            f"must not contain the word '{reserved[0]}': tenantkit appends it to the names it "
            "derives, so another tenant's resources would be mistaken for this one's "
            f"(reserved words: {', '.join(NAME_WORDS)})"
        )
    if REGION_NAME.search(value):
        raise ValueError("must not contain an AWS region name: region names appear in every ARN")
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


_PROTECTABLE = (
    # (service, resource pattern, what it is): the regional resources a WAF web ACL can protect.
    ("elasticloadbalancing", re.compile(r"loadbalancer/app/[A-Za-z0-9-]+/[0-9a-f]+"), "Application Load Balancer"),
    ("apigateway", re.compile(r"/restapis/[A-Za-z0-9]+/stages/[A-Za-z0-9_-]+"), "API Gateway REST API stage"),
    ("appsync", re.compile(r"apis/[A-Za-z0-9]+"), "AppSync GraphQL API"),
    ("cognito-idp", re.compile(r"userpool/[\w-]+_[0-9A-Za-z]+"), "Cognito user pool"),
    ("apprunner", re.compile(r"service/[A-Za-z0-9][A-Za-z0-9_-]*/[0-9a-f]{32}"), "App Runner service"),
    ("ec2", re.compile(r"verified-access-instance/vai-[0-9a-f]+"), "Verified Access instance"),
)
_ARN = re.compile(r"^arn:aws:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{12}|):(?P<resource>.+)$")


def protected_resource_kind(arn: str) -> str:
    """What kind of WAF-protectable resource `arn` names; ValueError if none."""
    match = _ARN.fullmatch(arn)
    if not match:
        raise ValueError(f"'{arn}' is not an ARN (arn:aws:<service>:<region>:<account>:<resource>)")
    for service, pattern, kind in _PROTECTABLE:
        if match.group("service") == service and pattern.fullmatch(match.group("resource")):
            return kind
    kinds = ", ".join(kind for _, _, kind in _PROTECTABLE)
    raise ValueError(f"'{arn}' is not a resource a regional web ACL can protect ({kinds})")


def arn_region(arn: str) -> str:
    return parse_arn(arn).region


def arn_account(arn: str) -> str:
    return parse_arn(arn).account


def _check_protected_arn(value: str) -> str:
    protected_resource_kind(value)
    return value


ProtectedArn = Annotated[str, AfterValidator(_check_protected_arn)]


DEFAULT_RATE_LIMIT = 2_000
"""Requests per client IP per 5 minutes before the web ACL blocks that address."""
MIN_RATE_LIMIT = 10
"""AWS WAF's lowest rate limit ("The lowest limit setting allowed is 10",
https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html);
its evaluation window may be 60, 120, 300 or 600 seconds: tenantkit keeps the default, 300."""
MAX_RATE_LIMIT = 2_000_000_000
"""The API's upper bound of `RateBasedStatement.Limit` (WAFv2 API Reference, RateBasedStatement)."""


class ManagedRuleSetting(Strict):
    """One AWS managed rule group's action: block (its rules' own actions), or count only."""

    action: Literal["block", "count"] = Field(
        default="block",
        description="block: the group's rules act; count: matches are only logged and counted.",
    )
    reason: str | None = Field(
        default=None,
        min_length=1,
        description="Why the group only counts (required with action: count).",
    )

    @model_validator(mode="after")
    def _count_needs_a_reason(self) -> ManagedRuleSetting:
        if self.action == "count" and not (self.reason or "").strip():
            raise ValueError("action count needs a reason: say why this filter only counts")
        return self


class ManagedRules(Strict):
    """The reputation filters that run ahead of the allow-list and roaming rules."""

    ip_reputation: ManagedRuleSetting = Field(
        default_factory=ManagedRuleSetting,
        description="AWSManagedRulesAmazonIpReputationList: addresses Amazon's threat intelligence flags.",
    )
    anonymous_ip: ManagedRuleSetting = Field(
        default_factory=ManagedRuleSetting,
        description="AWSManagedRulesAnonymousIpList: VPNs, proxies, Tor and hosting providers.",
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

    rate_limit: int = Field(
        default=DEFAULT_RATE_LIMIT,
        ge=MIN_RATE_LIMIT,
        le=MAX_RATE_LIMIT,
        description=(
            "Requests one client IP may send in 5 minutes before the web ACL blocks it "
            f"(AWS's minimum is {MIN_RATE_LIMIT})."
        ),
    )
    managed_rules: ManagedRules = Field(
        default_factory=ManagedRules,
        description="The IP reputation and anonymous IP filters; each may be set to count, with a reason.",
    )

    protect: tuple[ProtectedArn, ...] = Field(
        default=(),
        strict=False,
        max_length=100,
        description=(
            "ARNs of the application's regional resources (ALB, API Gateway stage, AppSync API, "
            "Cognito user pool, App Runner service) in the tenant's primary or secondary region; "
            "each is associated with the tenant's web ACL of its region."
        ),
    )

    break_glass_max_minutes: int = Field(
        default=60,
        ge=15,
        le=720,
        description=(
            "The longest break-glass session an operator may be granted to this tenant's data, "
            "in minutes (STS allows 15 to 720; the role itself allows at least 60)."
        ),
    )

    @field_validator("protect")
    @classmethod
    def _no_duplicate_arns(cls, arns: tuple[str, ...]) -> tuple[str, ...]:
        if repeated := _duplicates(arns):
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return arns

    @field_validator("allowed_cidrs", mode="before")
    @classmethod
    def _at_most_max_cidrs(cls, cidrs: Any) -> Any:
        # before pydantic's own max_length (kept for the JSON schema), so the refusal is ours
        if isinstance(cidrs, list | tuple) and len(cidrs) > MAX_CIDRS:
            raise ValueError(f"{len(cidrs):,} networks; at most {MAX_CIDRS:,}, what one WAF IP set holds")
        return cidrs

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
    from tenantkit.config.rds_offerings import engine_version_problem

    if problem := engine_version_problem(value):
        raise ValueError(problem)
    return value


def _check_instance_class(value: str) -> str:
    if not _INSTANCE_CLASS.fullmatch(value):
        raise ValueError(f"'{value}' does not look like db.<family>.<size>, e.g. db.t4g.medium")
    return value


AuditClass = Literal["read", "write", "function", "role", "ddl", "misc", "misc_set", "all"]
"""pgAudit's statement classes (https://github.com/pgaudit/pgaudit#pgauditlog)."""
DEFAULT_AUDIT_LOG: tuple[AuditClass, ...] = ("read", "write", "ddl", "role")
"""Every read (SELECT, COPY TO) and write (INSERT, UPDATE, DELETE, TRUNCATE, COPY FROM) of the
data, every schema change and every grant or role change; not `function` (every function call,
mostly noise from the application's own functions) nor `misc` (VACUUM, DISCARD, FETCH...)."""


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
    rotation_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days between rotations of the master password (Secrets Manager allows 1 to 1000).",
    )
    audit_log: list[AuditClass] = Field(
        default_factory=lambda: list(DEFAULT_AUDIT_LOG),
        min_length=1,
        description=(
            "pgAudit statement classes logged on the primary and the replica (pgaudit.log). "
            "read and write (or all) are required: every access to the tenant's data is recorded."
        ),
    )

    @field_validator("audit_log")
    @classmethod
    def _audit_log_records_access(cls, value: list[str]) -> list[str]:
        if "all" not in value and not {"read", "write"} <= set(value):
            raise ValueError("must include read and write (or all): every access to the data is recorded")
        if len(set(value)) != len(value):
            raise ValueError("lists a class twice")
        return value


RestoreTestSchedule = Literal["daily", "weekly", "monthly"]


class Backup(Strict):
    """Backups run every hour: that is the promise, not a setting. The tiers only set how long
    each kind of recovery point is kept; every resource keeps at most MAX_RETAINED_SNAPSHOTS
    snapshots per region over all tiers (RDS's default quota of manual snapshots)."""

    hourly_retention_days: int = Field(
        default=1, ge=1, le=3, description="Days the hourly snapshots are kept (24 a day)."
    )
    retention_days: int = Field(
        default=35,
        ge=1,
        le=MAX_RETAINED_SNAPSHOTS,
        description="Days the daily backups are kept; point-in-time restore covers up to 35 of them.",
    )
    copy_retention_days: int = Field(
        default=35,
        ge=1,
        le=MAX_RETAINED_SNAPSHOTS,
        description="Days the copies of the daily backups in the secondary region are kept.",
    )

    copy_hourly: bool = Field(
        default=True,
        description=(
            "Copy the hourly snapshots to the secondary region too (RPO of an hour there instead of "
            "a day; costs a cross-region copy every hour)."
        ),
    )
    restore_testing: RestoreTestSchedule = Field(
        default="weekly",
        description="How often AWS Backup restore testing restores the latest recovery points and deletes them.",
    )

    @model_validator(mode="after")
    def _within_snapshot_quota(self) -> Backup:
        retained = self.hourly_snapshots + self.retention_days
        if retained > MAX_RETAINED_SNAPSHOTS:
            raise ValueError(
                f"{self.hourly_snapshots} hourly + {self.retention_days} daily snapshots would be "
                f"retained per resource in the primary region, over RDS's default quota of "
                f"{MAX_RETAINED_SNAPSHOTS}; lower retention_days to at most "
                f"{MAX_RETAINED_SNAPSHOTS - self.hourly_snapshots} or hourly_retention_days"
            )
        copied = self.hourly_snapshots * self.copy_hourly + self.copy_retention_days
        if copied > MAX_RETAINED_SNAPSHOTS:
            raise ValueError(
                f"{self.hourly_snapshots} hourly + {self.copy_retention_days} daily copies would be "
                f"retained per resource in the secondary region, over RDS's default quota of "
                f"{MAX_RETAINED_SNAPSHOTS}; lower copy_retention_days to at most "
                f"{MAX_RETAINED_SNAPSHOTS - self.hourly_snapshots}, hourly_retention_days, or set "
                "copy_hourly: false"
            )
        return self

    @property
    def hourly_snapshots(self) -> int:
        return self.hourly_retention_days * HOURS_PER_DAY

    @property
    def continuous_days(self) -> int:
        """Days of point-in-time restore (AWS Backup continuous backup: at most 35)."""
        return min(self.retention_days, 35)


class Replica(Strict):
    region: str | None = Field(
        default=None,
        description="Secondary region override; must be inside the residency zone.",
    )
    instance_class: Annotated[str, AfterValidator(_check_instance_class)] | None = Field(
        default=None,
        description=(
            "The read replica's instance class (a class the secondary region offers). Default: "
            "database.instance_class when the secondary region offers it, else the nearest offered "
            "class (same size, same family letter first, then the same vCPU count)."
        ),
    )


class Availability(Strict):
    """What the tenant accepts of its availability promise. Backups are taken "without affecting
    availability" only with a standby: on a Single-AZ instance every snapshot briefly suspends I/O
    (RDS User Guide, "Creating a DB snapshot for a Single-AZ DB instance"), 24 times a day here."""

    accept_io_pause_on_backups: bool = Field(
        default=False,
        description=(
            "Required (with a reason) for database.multi_az: false: the customer accepts a brief I/O "
            "pause at every hourly snapshot."
        ),
    )
    reason: str | None = Field(
        default=None,
        min_length=10,
        max_length=500,
        description="Why the pause is accepted (who agreed, when): shown in the security review.",
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


class Offboarding(Strict):
    keep_audit_records_days: int | None = Field(
        default=None, ge=1, le=3650,
        description=(
            "Days the tenant's access and audit logs (WAF, database and flow logs, access-log bucket "
            "objects) are kept after its data is destroyed, in the zone's archive bucket "
            "(fleet.yaml offboarding.archive_buckets). Default: not kept, destroyed with the data."
        ),
    )


class Compliance(Strict):
    controlled_goods: bool = Field(
        default=False,
        description="Canadian Controlled Goods Program tenant: residency 'ca', every copy in Canada.",
    )


def _check_account(value: str) -> str:
    if not re.fullmatch(r"\d{12}", value):
        raise ValueError(f"'{value}' is not a 12-digit AWS account id")
    return value


NOTE_LINES: dict[tuple[str, ...], tuple[str, ...]] = {("replica", "instance_class"): ("database", "instance_class")}
"""For a note on a field the file does not write, the written field whose line it is shown at."""


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
    availability: Availability = Availability()
    subscription: Subscription = Subscription()
    offboarding: Offboarding = Offboarding()
    compliance: Compliance = Compliance()
    generation: Annotated[int, Field(ge=1, le=999)] = Field(
        default=1,
        description="Written by `tenantkit reinstate`: which generation of this customer's resources the file describes.",
    )
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
        problems.extend(self._database_offered_in_both_regions())
        problems.extend(self._availability_accepted())
        problems.extend(self._protected_resources_in_tenant_regions())
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

    def _database_offered_in_both_regions(self) -> list[InitErrorDetails]:
        from tenantkit.config.rds_offerings import offering_problem

        problems: list[InitErrorDetails] = []
        if self.replica.region is not None and not self.policy.allows(self.replica.region):
            return problems  # reported as a residency problem already
        if problem := offering_problem(self.database.instance_class, self.primary_region):
            problems.append(_error(("database", "instance_class"), self.database.instance_class, problem))
        if self.replica.instance_class is not None:
            if problem := offering_problem(self.replica.instance_class, self.secondary_region):
                problems.append(_error(("replica", "instance_class"), self.replica.instance_class, problem))
        elif offering_problem(self.database.instance_class, self.secondary_region) and (
            self._substitute_replica_class() is None
        ):
            problems.append(
                _error(
                    ("database", "instance_class"),
                    self.database.instance_class,
                    f"the read replica runs in {self.secondary_region}, which offers no class for "
                    "PostgreSQL to substitute; set replica.instance_class",
                )
            )
        return problems

    def _substitute_replica_class(self) -> str | None:
        from tenantkit.config.rds_offerings import substitute_class

        return substitute_class(self.database.instance_class, self.secondary_region)

    def _availability_accepted(self) -> list[InitErrorDetails]:
        accepted = self.availability
        if accepted.accept_io_pause_on_backups and accepted.reason is None:
            return [
                _error(
                    ("availability", "reason"),
                    None,
                    "say why the I/O pause is accepted (who agreed, when): the review shows it",
                )
            ]
        if not self.database.multi_az and not accepted.accept_io_pause_on_backups:
            return [
                _error(
                    ("database", "multi_az"),
                    False,
                    "a Single-AZ database pauses I/O at every hourly snapshot (RDS User Guide, "
                    "'Creating a DB snapshot for a Single-AZ DB instance'), which breaks 'backups "
                    "without affecting availability'; keep multi_az: true, or set "
                    "availability.accept_io_pause_on_backups: true with a reason",
                )
            ]
        return []

    def _protected_resources_in_tenant_regions(self) -> list[InitErrorDetails]:
        problems = []
        for index, arn in enumerate(self.access.protect):
            region, account = arn_region(arn), arn_account(arn)
            if region not in self.regions:
                problems.append(
                    _error(
                        ("access", "protect", index),
                        arn,
                        f"{region or 'no region'} is not one of the tenant's regions "
                        f"({self.primary_region}, {self.secondary_region}): a regional web ACL "
                        "protects resources of its own region only",
                    )
                )
            elif self.account is not None and account not in ("", self.account):
                problems.append(
                    _error(
                        ("access", "protect", index),
                        arn,
                        f"account {account} is not the tenant's account {self.account}",
                    )
                )
        return problems

    def warnings(self) -> list[tuple[tuple[str, ...], str]]:
        """(field path, message) for settings that are valid but probably not what was meant."""
        found: list[tuple[tuple[str, ...], str]] = []
        if not self.access.protect:
            found.append(
                (
                    ("access", "protect"),
                    "no application resource is protected: the tenant's web ACLs filter nothing "
                    "until access.protect lists the ARNs of its load balancer, API stage, ...",
                )
            )
        if self.availability.accept_io_pause_on_backups and self.database.multi_az:
            found.append(
                (
                    ("availability", "accept_io_pause_on_backups"),
                    "has no effect: database.multi_az is true, so snapshots are taken from the standby",
                )
            )
        return found

    def notes(self) -> list[tuple[tuple[str, ...], str]]:
        """(field path, message) for defaults chosen from the regions' offerings: information,
        never a problem. The path is the field the default fills in (it may be absent from the
        file: `NOTE_LINES` says which written field to point at)."""
        if self.replica.instance_class is None and (substitute := self._substitute_replica_class()):
            from tenantkit.config.rds_offerings import SUBSTITUTE_RULE

            return [
                (
                    ("replica", "instance_class"),
                    f"defaults to {substitute}: {self.database.instance_class} is not offered for "
                    f"PostgreSQL in {self.secondary_region}, where the read replica runs "
                    f"(nearest offered class: {SUBSTITUTE_RULE})",
                )
            ]
        return []

    @property
    def replica_instance_class(self) -> str:
        """The read replica's class: replica.instance_class, else the primary's when the
        secondary region offers it, else the nearest offered class (`notes()` says which)."""
        if self.replica.instance_class is not None:
            return self.replica.instance_class
        return self._substitute_replica_class() or self.database.instance_class

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


def _error(loc: tuple[str | int, ...], value: Any, message: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("residency", message), loc=loc, input=value
    )
