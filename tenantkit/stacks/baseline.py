"""The baseline stack of each account and region that has tenants (`naming.BASELINE_STACK`): the
audit trail of that region and, where fleet.yaml names an operator channel topic there, the alert
on undone key deletions (`constructs/key_window.py`). Deployed before the tenants of its environment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aws_cdk import Environment, Stack
from constructs import Construct

from tenantkit.config.fleet_models import operator_topic_in
from tenantkit.config.models import TenantConfig
from tenantkit.config.residency import Residency
from tenantkit.constructs.audit_trail import AuditTrail, AuditTrailProps
from tenantkit.constructs.key_window import KeyDeletionWindowAlert, KeyDeletionWindowAlertProps
from tenantkit.naming import AUDIT_TRAIL, BASELINE_ROLE_PATH, BASELINE_STACK, KEY_UNDO_RULE, audit_bucket
from tenantkit.stacks.tenant import names_of


class BaselineStack(Stack):
    """One account and region's audit trail, covering the data and DR buckets of its tenants; with
    `operator_topic_arns`, the operator channel's alert on undone key deletions in the region."""

    def __init__(self, scope: Construct, id: str, *, bucket_names: tuple[str, ...], reader_role_arns: tuple[str, ...],
                 deployment_role_arn: str, operator_topic_arns: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(scope, id, stack_name=BASELINE_STACK, **kwargs)
        self.audit = AuditTrail(
            self,
            "AuditTrail",
            AuditTrailProps(
                trail_name=AUDIT_TRAIL,
                bucket_name=audit_bucket(self.account, self.region),
                tenant_bucket_names=bucket_names,
                reader_role_arns=reader_role_arns,
                deployment_role_arn=deployment_role_arn,
            ),
        )
        self.key_window: KeyDeletionWindowAlert | None = None
        if operator_topic_arns:
            self.key_window = KeyDeletionWindowAlert(
                self,
                "KeyDeletionWindow",
                KeyDeletionWindowAlertProps(
                    operator_topic_arns=operator_topic_arns, rule_name=KEY_UNDO_RULE, role_path=BASELINE_ROLE_PATH
                ),
            )


def baseline_environments(configs: Iterable[TenantConfig]) -> dict[tuple[str | None, str], list[TenantConfig]]:
    """(account or None, region) -> the tenants with a stack there (primary and DR regions both)."""
    found: dict[tuple[str | None, str], list[TenantConfig]] = defaultdict(list)
    for config in configs:
        for region in (config.primary_region, config.secondary_region):
            found[(config.account, region)].append(config)
    return dict(found)


def tenant_buckets_in(configs: Iterable[TenantConfig], region: str) -> tuple[str, ...]:
    """The data and DR buckets the tenants keep in `region` (names from naming)."""
    names = []
    for config in configs:
        tenant = names_of(config)
        names += [b for b, r in ((tenant.data_bucket, tenant.primary_region), (tenant.dr_bucket, tenant.secondary_region)) if r == region]
    return tuple(names)


def operator_topics_in(
    configs: Iterable[TenantConfig], region: str, operator_channel: Mapping[Residency, Sequence[str]]
) -> tuple[str, ...]:
    """The operator channel's topics of `region` for the zones of `configs` (fleet.yaml's
    `operator_channel`), sorted; none configured: empty."""
    found = {operator_topic_in(list(operator_channel.get(config.residency, ())), region) for config in configs}
    return tuple(sorted(arn for arn in found if arn is not None))


def add_baselines(
    app: Construct,
    configs: Iterable[TenantConfig],
    *,
    only_for: Iterable[TenantConfig] | None = None,
    operator_channel: Mapping[Residency, Sequence[str]] | None = None,
) -> dict[tuple[str | None, str], BaselineStack]:
    """One baseline stack per account and region of the fleet `configs`; with `only_for`, only
    those of these tenants' environments, still covering every tenant of each (a trail built
    from one tenant would drop the others' buckets). `operator_channel` (fleet.yaml's) receives
    each region's alert on undone key deletions."""
    environments = baseline_environments(configs)
    if only_for is not None:
        wanted = set(baseline_environments(only_for))
        environments = {env: tenants for env, tenants in environments.items() if env in wanted}
    stacks = {}
    for (account, region), tenants in sorted(environments.items(), key=lambda e: (e[0][0] or "", e[0][1])):
        names = [names_of(config) for config in tenants]
        readers = tuple(sorted({n.break_glass_role_arn for n in names}))
        stacks[(account, region)] = BaselineStack(
            app,
            f"{BASELINE_STACK}-{account or 'any'}-{region}",
            env=Environment(account=account, region=region),
            bucket_names=tenant_buckets_in(tenants, region),
            reader_role_arns=readers,
            deployment_role_arn=names[0].deployment_role_arn(region),
            operator_topic_arns=operator_topics_in(tenants, region, operator_channel or {}),
            description=f"tenantkit baseline: audit trail of {account or 'the deploying account'} in {region}",
            termination_protection=True,
        )
    return stacks
