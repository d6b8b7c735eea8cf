"""fleet.yaml's rollout sections: `pipeline:` (where the CDK Pipelines live and what they build),
`canary:` (the tenants that go first) and `waves:` (named groups of tenants, in order).

One pipeline per residency, in a region of the residency's zone: the pipeline's artifact bucket
holds the synthesized templates, and they carry the tenants' CIDRs and contacts. A single tooling
region for every residency is therefore not offered.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from tenantkit.config.models import Strict, TenantId, _check_account, _reject_non_string
from tenantkit.config.residency import POLICIES, Residency

_CONNECTION_ARN = re.compile(
    r"^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}$"
)
_WAVE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
DEFAULT_MAX_PARALLEL = 5

AccountId = Annotated[str, _reject_non_string("account id", "123456789012"), AfterValidator(_check_account)]


class PipelineSource(Strict):
    """The repository the pipelines build, reached through a CodeStar Connections connection."""

    repository: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
        description="'owner/name' of the repository (GitHub, GitLab or Bitbucket), as the connection sees it.",
    )
    branch: str = Field(
        default="main", min_length=1, max_length=255, pattern=r"^[A-Za-z0-9._/-]+$",
        description="The branch whose commits start a rollout.",
    )
    connection_arn: str = Field(
        description="ARN of the CodeStar Connections (CodeConnections) connection to the repository.",
        json_schema_extra={"pattern": _CONNECTION_ARN.pattern},
    )

    @field_validator("connection_arn")
    @classmethod
    def _is_a_connection(cls, value: str) -> str:
        if not _CONNECTION_ARN.fullmatch(value):
            raise ValueError(
                f"'{value}' is not a connection ARN: write "
                "arn:aws:codestar-connections:<region>:<account>:connection/<uuid>"
            )
        return value


class Pipeline(Strict):
    """Where the rollout pipelines live and what they build (`tenantkit pipeline synth`)."""

    account: AccountId = Field(description="12-digit AWS account id of the tooling account that holds the pipelines, quoted.")
    regions: dict[Annotated[Residency, Field(strict=False)], str] = Field(
        default_factory=dict,
        json_schema_extra={"additionalProperties": False},
        description=(
            "The pipeline region of a residency (us, ca, de), inside its zone; default the "
            "residency's primary region."
        ),
    )
    source: PipelineSource
    max_parallel: int = Field(
        default=DEFAULT_MAX_PARALLEL, ge=1, le=50,
        description=(
            "At most this many tenants deploy at once in one pipeline stage; fewer where "
            "CodePipeline's 50 actions per stage require."
        ),
    )

    @field_validator("regions")
    @classmethod
    def _in_the_zone(cls, regions: dict[Residency, str]) -> dict[Residency, str]:
        for residency, region in regions.items():
            policy = POLICIES[residency]
            if not policy.allows(region):
                raise ValueError(
                    f"{residency.value}: '{region}' is outside the {policy.zone_name}; the pipeline's "
                    f"artifacts hold the tenants' templates: choose one of {', '.join(sorted(policy.zone))}"
                )
        return regions

    def region_of(self, residency: Residency) -> str:
        """The region of the residency's pipelines."""
        return self.regions.get(residency, POLICIES[residency].primary_region)


class Wave(Strict):
    """A named group of tenants that roll out together, after the canary and the waves before it."""

    name: str = Field(description="Lower-case letters, digits and hyphens; not 'canary' nor a residency (us, ca, de).")
    tenants: list[TenantId] = Field(min_length=1, description="Tenant ids, each in one wave at most.")

    @field_validator("name")
    @classmethod
    def _a_stage_name(cls, value: str) -> str:
        if not _WAVE_NAME.fullmatch(value):
            raise ValueError("use 2 to 32 lower-case letters, digits and hyphens, starting with a letter")
        if value == "canary":
            raise ValueError("'canary' is the wave of the `canary:` tenants; name this wave otherwise")
        if value in {residency.value for residency in Residency}:
            raise ValueError(f"'{value}' is the wave of a residency's remaining tenants; name this wave otherwise")
        return value


def check_rollout_groups(canary: list[str], waves: list[Wave]) -> None:
    """ValueError when a tenant is named twice among the canary and the waves, or a wave name repeats."""
    seen: dict[str, str] = {}
    for where, tenant_ids in [("canary", canary), *((f"wave '{w.name}'", w.tenants) for w in waves)]:
        for tenant_id in tenant_ids:
            if tenant_id in seen:
                raise ValueError(f"tenant '{tenant_id}' is in {seen[tenant_id]} and in {where}: name it once")
            seen[tenant_id] = where
    names = [wave.name for wave in waves]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"wave name '{name}' is used twice")

