"""What the application's extensions (fleet.yaml `extensions:`) add and their stacks may not
destroy: a resource an extension retains, or one its application makes at run time, is found by
the `finder` the extension declares and destroyed by its `destroyer`, in the same journaled,
verified run as everything else of the tenant (kind `extension resource`, after the stacks).

A finder is `(scope) -> Iterable[Target]`: `scope.names` gives the tenant's names
(`names.extension_resource(...)`), `scope.client(service, region)` its clients; it returns the
tenant's own resources only, matched by exact name or tag, never by a prefix another tenant's
names could share. A destroyer is `(scope, target, progress) -> dict` (what it did, for the
journal), and must succeed on a resource already gone (a rerun). Verification calls the finder
again: anything it still finds fails the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tenantkit.config.fleet_models import Extension
    from tenantkit.lifecycle.offboarding.resources import Progress, Scope, Target

KIND = "extension resource"


@dataclass(frozen=True)
class ExtensionOffboarding:
    """One extension's finder and destroyer, named by its fleet.yaml `callable`."""

    extension: str
    finder: Callable[[Scope], Iterable[Target]]
    destroyer: Callable[[Scope, Target, Progress], dict[str, str]]


def load_offboarding(specs: Sequence[Extension], root: Path) -> tuple[ExtensionOffboarding, ...]:
    """The finders and destroyers fleet.yaml's extensions declare, imported from the project
    `root` first; ExtensionImportError naming the entry for one that is not there."""
    from tenantkit.config.fleet_models import import_callable, on_import_path

    on_import_path(root)
    loaded = []
    for index, spec in enumerate(specs):
        if spec.finder is None or spec.destroyer is None:
            continue
        where = f"fleet.yaml: extensions.{index}"
        finder = import_callable(spec.finder, f"{where}.finder")
        destroyer = import_callable(spec.destroyer, f"{where}.destroyer")
        loaded.append(ExtensionOffboarding(spec.callable, finder, destroyer))
    return tuple(loaded)


def find_extension_resources(scope: Scope) -> Iterator[Target]:
    """Every extension's finds, as targets of kind `extension resource` naming their extension."""
    for offboarding in scope.extensions:
        for found in offboarding.finder(scope):
            yield replace(found, kind=KIND, extra={**found.extra, "extension": offboarding.extension})


def destroy_extension_resource(scope: Scope, target: Target, progress: Progress) -> dict[str, Any]:
    """The target destroyed by the destroyer of the extension that found it."""
    extension = target.extra.get("extension")
    offboarding = next((o for o in scope.extensions if o.extension == extension), None)
    if offboarding is None:
        from tenantkit.lifecycle.offboarding.resources import OffboardingBlocked

        raise OffboardingBlocked(
            f"{target.name} ({target.region}) was found by extension {extension}, which fleet.yaml no longer "
            "declares a finder and destroyer for: name it again to finish the offboarding"
        )
    return {**offboarding.destroyer(scope, target, progress), "extension": str(extension)}
