"""The inventory of one tenant: every declared resource checked, its stacks, and what carries its
tag without a template naming it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.inventory.checks import (
    KeyDeclaration,
    TenantKeys,
    check_declared,
    stack,
    tenant_key,
    undeclared,
)
from tenantkit.lifecycle.inventory.declared import declared_resources
from tenantkit.lifecycle.inventory.drift import stack_drift
from tenantkit.lifecycle.inventory.model import Declared, Inventory
from tenantkit.lifecycle.inventory.objects import object_sample
from tenantkit.lifecycle.inventory.trail import audit_trail
from tenantkit.naming import TenantNames, incident_key_alias_of, key_alias_of, names_for

SessionFor = Callable[[str], Any]


def tenant_inventory(
    tenant_id: str,
    declared: Sequence[Declared],
    *,
    key_alias: str,
    session_for: SessionFor,
    stack_regions: dict[str, str],
    account: str | None = None,
) -> Inventory:
    """Everything the tenant has in its regions, each item checked against its declaration; with
    its `account`, also each region's audit trail (recording its data or DR bucket there)."""
    inventory = Inventory(tenant_id)
    regions = sorted({d.region for d in declared})
    keys: dict[str, TenantKeys] = {}
    for region in regions:
        keys[region], item = tenant_key(session_for(region), region, key_alias, tenant_id, _key_declarations(declared, region, key_alias))
        inventory.items.append(item)
    tenant_keys = _merged(keys.values())
    # The incident topics have their own key (issue 18.5) where the templates declare one: checked
    # like the tenant key, and then the only key the incident topic may use.
    incident_alias = incident_key_alias_of(key_alias)
    incident_keys = []
    for region in regions:
        declarations = _key_declarations(declared, region, incident_alias)
        if declarations:
            incident_key, item = tenant_key(session_for(region), region, incident_alias, tenant_id, declarations)
            incident_keys.append(incident_key)
            inventory.items.append(item)
    incident_topic = names_for(tenant_id, "", "", "").incident_topic  # the name depends on the id alone
    for declaration in declared:
        session = session_for(declaration.region)
        for resource_type, entries in declaration.names.items():
            for name, props in entries:
                if resource_type == "AWS::WAFv2::WebACL":
                    props = {**props, "_protects": declaration.protects}
                is_incident_topic = (resource_type, name) == ("AWS::SNS::Topic", incident_topic)
                judged_by = _merged(incident_keys) if incident_keys and is_incident_topic else tenant_keys
                checked = check_declared(resource_type, session, declaration.region, name, props, judged_by)
                if checked is not None:
                    inventory.items.append(checked)
                if resource_type == "AWS::S3::Bucket" and checked is not None and not checked.missing:
                    region_key = next(iter(sorted(keys[declaration.region].verified)), None)
                    inventory.items.append(object_sample(session, declaration.region, name, props, tenant_keys, region_key))
    for stack_name, region in stack_regions.items():
        found = stack(session_for(region), region, stack_name)
        inventory.items.append(found)
        if not found.missing and not found.unchecked:
            inventory.items.append(stack_drift(session_for(region), region, stack_name))
    declared_names = {name for d in declared for entries in d.names.values() for name, _ in entries}
    if account is not None:
        for region in regions:
            names = names_for(tenant_id, account, region, region)
            inventory.items.append(audit_trail(session_for(region), region, _file_stores(declared, region, names)))
    for region in regions:
        inventory.items.extend(undeclared(session_for(region), region, tenant_id, declared_names, tenant_keys))
    return inventory


def assembly_inventory(
    tenant_id: str, assembly_dir: Path, stack_names: Sequence[str], *, account: str, session_for: SessionFor, generation: int = 1
) -> Inventory:
    """The inventory of a tenant against its synthesized assembly, its stacks included (each in
    the region its manifest names)."""
    declared = declared_resources(assembly_dir, stack_names, account)
    return tenant_inventory(
        tenant_id,
        declared,
        key_alias=key_alias_of(tenant_id, generation),
        session_for=session_for,
        stack_regions={d.stack: d.region for d in declared},
        account=account,
    )


def _merged(keys: Iterable[TenantKeys]) -> TenantKeys:
    """The keys of every region as one set."""
    listed = list(keys)
    return TenantKeys(
        frozenset().union(*(k.verified for k in listed)),
        frozenset().union(*(k.unverified for k in listed)),
        any(k.unreadable for k in listed),
    )


def _file_stores(declared: Sequence[Declared], region: str, names: TenantNames) -> list[str]:
    """The tenant's data or DR bucket declared in `region` (exact names from naming: `names` of
    that region as both), which the region's audit trail must record."""
    stores = (names.data_bucket, names.dr_bucket)
    return sorted({name for d in declared if d.region == region for name, _ in d.names.get("AWS::S3::Bucket", []) if name in stores})


def _key_declarations(declared: Sequence[Declared], region: str, alias: str) -> list[KeyDeclaration]:
    """The stacks of `region` declaring `alias`, with the logical id of the key it targets."""
    found = []
    for declaration in declared:
        if declaration.region != region:
            continue
        for name, props in declaration.names.get("AWS::KMS::Alias", []):
            logical_id = _logical_id(props.get("TargetKeyId"))
            if name == alias and logical_id is not None:
                found.append(KeyDeclaration(declaration.stack, logical_id))
    return found


def _logical_id(value: Any) -> str | None:
    """The logical id a `Ref` or `Fn::GetAtt` names."""
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        return value["Ref"]
    if isinstance(value, dict) and isinstance(value.get("Fn::GetAtt"), list) and value["Fn::GetAtt"]:
        return str(value["Fn::GetAtt"][0])
    return None
