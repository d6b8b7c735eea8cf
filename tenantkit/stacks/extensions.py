"""The application's own per-tenant resources: the callables fleet.yaml's `extensions:` names,
each called as `(stack, tenant, context) -> None` on every tenant's primary or DR stack.

What an extension adds is part of the tenant's stack, so it is tagged with the tenant's tags
(`Tags.of(stack)` reaches every construct), checked by every cdk-nag pack, our rules and
cfn-lint, listed by `inventory` and the review, and destroyed when offboarding deletes the stack;
what can outlive the stack is found and destroyed by the `finder` and `destroyer` the fleet.yaml
entry names (tenantkit.lifecycle.offboarding.extensions).
The context gives it the tenant key and names (`context.names.extension_resource(...)`); the
callable's module file is part of the synth cache key (tenantkit.synth.cache).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Stack, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from constructs import IConstruct

from tenantkit.config.fleet_models import Extension, ExtensionImportError, import_callable, on_import_path
from tenantkit.config.models import TenantConfig
from tenantkit.naming import TenantNames


class ExtensionError(Exception):
    """An extension fleet.yaml names that cannot be imported or called (one line, naming it)."""


@dataclass(frozen=True, kw_only=True)
class ExtensionContext:
    """What an extension builds with: the tenant key of the stack's region, the tenant's names,
    its tags, and in the primary stack its network (the DR stack has none: `vpc` is None)."""

    tenant_id: str
    stack_kind: str
    """'primary' or 'dr'."""
    region: str
    key: kms.IKey
    names: TenantNames
    tags: Mapping[str, str]
    vpc: ec2.IVpc | None = None
    subnets: ec2.SelectedSubnets | None = None
    """The tenant's isolated subnets (no route to the internet), for anything placed in the VPC."""

    def tag(self, construct: IConstruct) -> None:
        """Tag `construct` and its children with the tenant's tags (the stack's tags already reach
        every construct in it; use this for constructs placed outside the stack)."""
        for key, value in self.tags.items():
            Tags.of(construct).add(key, value)


ExtensionFunction = Callable[[Stack, TenantConfig, ExtensionContext], None]


@dataclass(frozen=True)
class LoadedExtension:
    spec: Extension
    function: ExtensionFunction
    source: Path | None
    """The file the callable's module was loaded from (None for a built-in module)."""

    def apply(self, stack: Stack, tenant: TenantConfig, context: ExtensionContext) -> None:
        try:
            self.function(stack, tenant, context)
        except Exception as error:  # any failure is this extension's, named as such
            raise ExtensionError(
                f"extension {self.spec.callable} failed on tenant {tenant.tenant_id}: {type(error).__name__}: {error}"
            ) from error


def load_extensions(specs: Sequence[Extension], root: Path) -> tuple[LoadedExtension, ...]:
    """Import each extension's callable, modules looked up from the project `root` first.
    ExtensionError naming the fleet.yaml entry for a module or function that is not there."""
    on_import_path(root)
    loaded = []
    for index, spec in enumerate(specs):
        try:
            function = import_callable(spec.callable, f"fleet.yaml: extensions.{index}.callable")
        except ExtensionImportError as error:
            raise ExtensionError(str(error)) from None
        origin = getattr(sys.modules[spec.module], "__file__", None)
        loaded.append(LoadedExtension(spec, function, Path(origin).resolve() if origin else None))
    return tuple(loaded)


def apply_extensions(
    extensions: Sequence[LoadedExtension], *, kind: str, stack: Stack, tenant: TenantConfig, context: ExtensionContext
) -> None:
    """Call every extension for the `kind` ('primary' or 'dr') stack, in fleet.yaml's order."""
    for loaded in extensions:
        if loaded.spec.stack == kind:
            loaded.apply(stack, tenant, context)
