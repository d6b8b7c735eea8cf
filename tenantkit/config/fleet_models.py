"""The fleet settings language: `fleet.yaml` at the project root, one strict model per section.

Settings that concern the whole fleet rather than one tenant. Every section is optional and a
missing file means all defaults. Like tenant files, unknown keys are errors (a typo never goes
unnoticed), values are not coerced, and the models are frozen. Sections are added by the issue
that needs them; none is reserved in advance, so the schema stays strict.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from tenantkit.aws import parse_arn
from tenantkit.config.models import Strict, TenantId
from tenantkit.config.quotas import DEPLOYING_ACCOUNT, QUOTAS
from tenantkit.config.residency import POLICIES, Residency
from tenantkit.config.rollout_models import AccountId, Pipeline, Wave, check_rollout_groups
from tenantkit.naming import REGION_NAME

_SCOPE = re.compile(rf"^(?P<account>\d{{12}}|{DEPLOYING_ACCOUNT})/(?P<region>[a-z0-9-]+)$")
SCOPE_PATTERN = rf"^(\d{{12}}|{DEPLOYING_ACCOUNT})/[a-z]{{2}}(-gov)?-[a-z]+-\d$"
_DEFAULTS = {quota.key: quota.default for quota in QUOTAS}


def _check_scope(value: str) -> str:
    match = _SCOPE.fullmatch(value)
    if not match:
        raise ValueError(
            f"'{value}' is not <account>/<region>: write a 12-digit account id, or "
            f"{DEPLOYING_ACCOUNT} for tenants without `account`, then the region, "
            f"e.g. '123456789012/us-east-1' or '{DEPLOYING_ACCOUNT}/ca-central-1'"
        )
    if not REGION_NAME.fullmatch(match.group("region")):
        raise ValueError(f"'{match.group('region')}' is not an AWS region name")
    return value


QuotaScope = Annotated[
    str, AfterValidator(_check_scope), Field(json_schema_extra={"pattern": SCOPE_PATTERN})
]


def _raised(quota: str, what: str) -> Any:
    default = _DEFAULTS[quota]
    return Field(
        default=None,
        description=f"{what}: the raised quota (AWS default {default} per account and region).",
        json_schema_extra={"exclusiveMinimum": default},
    )


class RaisedQuotas(Strict):
    """Quotas raised through Service Quotas in one account and region; each value replaces AWS's
    default for that account and region. Only adjustable quotas can be raised."""

    web_acls: int | None = _raised("web_acls", "WAF web ACLs")
    ip_sets: int | None = _raised("ip_sets", "WAF IP sets")
    manual_db_snapshots: int | None = _raised("manual_db_snapshots", "RDS manual DB snapshots")

    @field_validator("web_acls", "ip_sets", "manual_db_snapshots")
    @classmethod
    def _at_least_the_default(cls, value: int | None, info: ValidationInfo) -> int | None:
        default = _DEFAULTS[str(info.field_name)]
        if value is not None and value <= default:
            raise ValueError(
                f"{value} is not above AWS's default of {default}: record only a quota "
                "Service Quotas has raised"
            )
        return value

    @model_validator(mode="after")
    def _names_a_quota(self) -> RaisedQuotas:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError(f"name at least one raised quota: {', '.join(type(self).model_fields)}")
        return self


class Quotas(Strict):
    """How `validate` and `list` treat AWS quotas the fleet shares per account and region."""

    enforce: bool = Field(
        default=False,
        description="Make a quota the fleet would exceed an error (exit 1) instead of a warning.",
    )
    raised: dict[QuotaScope, RaisedQuotas] = Field(
        default_factory=dict,
        json_schema_extra={"additionalProperties": False},
        description=(
            "Raised quotas by '<account>/<region>' (a 12-digit account id, or "
            f"'{DEPLOYING_ACCOUNT}' for tenants without `account`)."
        ),
    )

    def raised_limit(self, scope: str, quota: str) -> int | None:
        """The raised value of `quota` recorded for `scope`, or None (AWS's default applies)."""
        raised = self.raised.get(scope)
        return getattr(raised, quota, None) if raised is not None else None


class Ci(Strict):
    """The CI workflows `tenantkit ci github|gitlab` write: their defaults, which the command's
    options override."""

    shards: int = Field(
        default=4, ge=1, le=200,
        description="How many parallel jobs check the tenants (each a stable share; GitLab allows at most 200).",
    )
    python: str = Field(
        default="3.11", pattern=r"^3\.\d{1,2}$", description="The Python version the jobs run on, e.g. '3.12'."
    )
    branch: str = Field(
        default="main", min_length=1, pattern=r"^[A-Za-z0-9._/-]+$",
        description="The branch whose pushes run the GitHub workflow (pull requests always do).",
    )
    timeout_minutes: int = Field(
        default=60, ge=5, le=360, description="A check job's time limit, in minutes (GitHub's maximum is 360)."
    )


class Offboarding(Strict):
    """Where offboarding keeps what outlives a tenant's data."""

    archive_buckets: dict[Annotated[Residency, Field(strict=False)], Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]] = Field(
        default_factory=dict,
        description=(
            "Per residency zone (us, ca, de), the operator's S3 bucket in that zone (default "
            "encryption SSE-KMS under the operator's key) where offboarding archives the access and "
            "audit logs of tenants whose file sets offboarding.keep_audit_records_days."
        ),
    )
    job_wait_minutes: int = Field(
        default=240, ge=0, le=7 * 24 * 60,
        description=(
            "How long one offboarding run awaits the tenant's running AWS Backup jobs it cannot stop "
            "(RDS backups, copy and restore jobs) before it stops without deleting any data; a rerun "
            "waits again. Default 240: a daily copy's window."
        ),
    )  # fmt: skip


def _check_region(value: str) -> str:
    if not REGION_NAME.fullmatch(value):
        raise ValueError(f"'{value}' is not an AWS region name")
    return value


class Tooling(Strict):
    """The operators' tooling account and region: where the fleet's shared operation locks live
    (a DynamoDB table, `naming.LOCK_TABLE`), so two operators' machines never act on one tenant at once."""

    account: AccountId = Field(description="12-digit AWS account id of the tooling account, quoted.")
    region: Annotated[str, AfterValidator(_check_region)] = Field(description="The tooling region, e.g. 'us-east-1'.")


class Drills(Strict):
    """How often each tenant's restores must be proven (`tenantkit drill`)."""

    max_age_days: int | None = Field(
        default=None, ge=1, le=3650,
        description="`inventory` flags a tenant whose last drill report is older than this many days, failed, or missing.",
    )  # fmt: skip


EXTENSION_CALLABLE = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"



def _check_callable(value: str) -> str:
    if not re.fullmatch(EXTENSION_CALLABLE, value):
        raise ValueError(f"'{value}' is not 'module:function' (a dotted module path, a colon, a function name)")
    return value


def _check_optional_callable(value: str | None) -> str | None:
    return None if value is None else _check_callable(value)


class ExtensionImportError(Exception):
    """A callable fleet.yaml names that cannot be imported (one line, naming its entry)."""


def import_callable(reference: str, where: str) -> Any:
    """The function `reference` ('module:function') names, its module imported (from the project
    root first, `on_import_path`); ExtensionImportError naming `where` (its fleet.yaml field)."""
    module_name, _, function_name = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ExtensionImportError(f"{where}: cannot import '{module_name}': {error}") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ExtensionImportError(f"{where}: module '{module_name}' has no function '{function_name}'")
    return function


class Extension(Strict):
    """The application's own per-tenant resources: a Python callable `(stack, tenant, context) ->
    None` that adds constructs to each tenant's primary or DR stack (tenantkit.stacks.extensions)."""

    callable: Annotated[str, AfterValidator(_check_callable)] = Field(
        json_schema_extra={"pattern": EXTENSION_CALLABLE},
        description="'module:function', importable from the project root, e.g. 'extensions.queue:add_queue'.",
    )
    stack: Literal["primary", "dr"] = Field(
        default="primary", description="The stack it adds to: 'primary' (primary region) or 'dr' (secondary region)."
    )
    finder: Annotated[str | None, AfterValidator(_check_optional_callable)] = Field(
        default=None,
        json_schema_extra={"pattern": EXTENSION_CALLABLE},
        description=(
            "For a resource that can outlive its stack (retained, or made at run time): 'module:function' "
            "`(scope) -> Iterable[Target]` that offboarding calls to find the tenant's (with `destroyer`)."
        ),
    )
    destroyer: Annotated[str | None, AfterValidator(_check_optional_callable)] = Field(
        default=None,
        json_schema_extra={"pattern": EXTENSION_CALLABLE},
        description="'module:function' `(scope, target, progress) -> dict` that destroys one thing `finder` found.",
    )

    @model_validator(mode="after")
    def _finder_with_destroyer(self) -> Extension:
        if (self.finder is None) != (self.destroyer is None):
            raise ValueError("finder and destroyer go together: offboarding destroys what the finder finds with the destroyer")
        return self

    @property
    def module(self) -> str:
        return self.callable.partition(":")[0]

    @property
    def function(self) -> str:
        return self.callable.partition(":")[2]


def on_import_path(root: Path) -> None:
    """Make the project `root` the first place extension modules are imported from."""
    root_dir = str(root.resolve())
    if root_dir not in sys.path:
        sys.path.insert(0, root_dir)


def extension_sources(extensions: list[Extension], root: Path) -> list[tuple[str, str, str]]:  # (callable, stack, sha256)
    """Each extension's callable, stack and its module file's sha256, found without importing the
    module (a fully cached synth imports no CDK): what the synth cache keys on."""
    on_import_path(root)
    found: list[tuple[str, str, str]] = []
    for extension in extensions:
        try:
            spec = importlib.util.find_spec(extension.module)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None and spec.has_location and spec.origin else None
        digest = hashlib.sha256(Path(origin).read_bytes()).hexdigest() if origin else "not found"
        found.append((extension.callable, extension.stack, digest))
    return found


PUBLIC_KEY_FILE = r"^[^\s]+\.pem$"


class Approvals(Strict):
    """Who may sign review approvals (`tenantkit review approve --signing-key`): the public halves
    of the security leads' keys, committed with the fleet."""

    public_keys: list[Annotated[str, Field(pattern=PUBLIC_KEY_FILE)]] = Field(
        default_factory=list,
        description=(
            "PEM public key files (Ed25519, ECDSA P-256 or RSA; `tenantkit report keygen` writes one, "
            "`--kms ARN` exports a KMS key's), relative to the project root. An approval counts only "
            "when one of them verifies its signature."
        ),
    )


SNS_TOPIC_ARN = r"^arn:aws:sns:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$"
OperatorTopicArn = Annotated[str, Field(pattern=SNS_TOPIC_ARN)]


def _topic_region(arn: str) -> str:
    return parse_arn(arn).region


def operator_topic_in(topics: list[str], region: str) -> str | None:
    """The operator channel's topic of `region`, or None."""
    return next((arn for arn in topics if _topic_region(arn) == region), None)


def _check_operator_channel(channel: dict[Residency, list[str]]) -> dict[Residency, list[str]]:
    for residency, topics in channel.items():
        policy = POLICIES[residency]
        regions = [_topic_region(arn) for arn in topics]
        outside = [arn for arn, region in zip(topics, regions, strict=True) if not policy.allows(region)]
        if outside:
            raise ValueError(
                f"{residency.value}: {', '.join(outside)} is outside the {policy.zone_name}: an alert "
                "names the tenant and the resource, and stays in the tenant's zone"
            )
        if len(set(regions)) != len(regions):
            raise ValueError(f"{residency.value}: one topic per region (EventBridge rules of a region publish to that region's)")
    return channel


class FleetSettings(Strict):
    """fleet.yaml: settings for the whole fleet of tenants."""

    quotas: Quotas = Quotas()
    ci: Ci = Ci()
    pipeline: Pipeline | None = Field(default=None, description="The rollout pipelines (`tenantkit pipeline synth`).")
    canary: list[TenantId] = Field(default_factory=list, description="Tenants deployed first, in their pipeline's canary wave.")
    waves: list[Wave] = Field(default_factory=list, description="Named waves, in rollout order, after the canary.")
    require_approval: bool = Field(
        default=False, description=(
            "Refuse to deploy (deploy, deploy --local, check and the pipeline's per-tenant step) a tenant whose "
            "templates changed since its last validly signed review approval; `--unapproved --reason` overrides."
        ),
    )
    offboarding: Offboarding = Offboarding()
    drills: Drills = Drills()
    tooling: Tooling | None = Field(
        default=None, description="The tooling account and region holding the fleet's operation locks (needed to act on AWS)."
    )
    extensions: list[Extension] = Field(
        default_factory=list,
        description="The application's own per-tenant resources, added to every tenant's stacks in this order.",
    )
    approvals: Approvals = Approvals()
    operator_channel: Annotated[
        dict[Annotated[Residency, Field(strict=False)], Annotated[list[OperatorTopicArn], Field(min_length=1)]],
        AfterValidator(_check_operator_channel),
    ] = Field(
        default_factory=dict,
        description=(
            "Per residency zone (us, ca, de), the vendor security team's SNS topics that every detection "
            "of the zone's tenants also reaches (besides the tenant's incident topic): one topic per region "
            "where the zone's tenants have stacks, as an EventBridge rule publishes only to a topic of its "
            "own region. Per zone, because an alert names the tenant and the resource and stays in the "
            "tenant's zone; the alert text carries the tenant id, never event details. Each topic's "
            "policy must let the tenants' operator-channel roles (path /tenantkit/<id>/) publish."
        ),
    )

    def operator_topics(self, residency: Residency) -> list[str]:
        """The operator channel's topics of `residency`'s zone (none configured: empty)."""
        return list(self.operator_channel.get(residency, []))

    @model_validator(mode="after")
    def _each_tenant_once(self) -> FleetSettings:
        check_rollout_groups(self.canary, self.waves)
        return self
