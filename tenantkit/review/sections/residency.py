"""1. Residency: every region the tenant's resources live in, and where each copy of its data
goes (bucket replication, backup copies, read replica, secret replicas), each inside the zone of
the residency the templates are tagged with, or flagged."""

from __future__ import annotations

from tenantkit.review.model import Section
from tenantkit.review.sections._words import as_list, text, where
from tenantkit.review.source import TenantTemplates

ID = "residency"
TITLE = "Residency"


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    zone = templates.zone
    if templates.residency:
        section.summary.append(
            f"Residency `{templates.residency}`: every copy must stay in the {templates.zone_name} "
            f"({', '.join(sorted(zone))})."
        )
    else:
        section.summary.append("The templates carry no single `tenantkit:residency` tag: no zone to hold them to.")
        for stack in templates.stacks:
            section.flag(stack.name, "-", "the templates name no single tenantkit:residency: no zone to hold the copies to")

    stacks = section.table("Where the stacks live", "Stack", "Region", "Resources", "In the zone")
    for stack in templates.stacks:
        inside = stack.region in zone
        stacks.add(stack.name, stack.name, stack.region, len(stack.resources), inside, flagged=not inside)
        if not inside:
            section.flag(stack.name, "-", f"deployed to {stack.region}, outside the {templates.zone_name}")

    copies = section.table("Where copies of the data go", "Source", "Copy", "Destination", "Region", "In the zone")

    def copy(stack, logical_id: str, kind: str, destination: str, region: str | None) -> None:
        inside = region in zone
        copies.add(f"{stack.name}/{logical_id}/{kind}/{destination}", where(stack.name, logical_id), kind,
                   destination, region or "unknown", inside, flagged=not inside)
        if not inside:
            section.flag(stack.name, logical_id, f"{kind} to {region or 'an unknown region'}, outside the {templates.zone_name}")

    for stack, logical_id, resource in templates.of_type("AWS::S3::Bucket"):
        for rule in resource.get("Properties", {}).get("ReplicationConfiguration", {}).get("Rules", []):
            destination = rule.get("Destination", {})
            region = templates.region_of(stack, destination.get("Bucket"))
            key = destination.get("EncryptionConfiguration", {}).get("ReplicaKmsKeyID")
            if key is not None:
                region = region or templates.region_of(stack, key)
            copy(stack, logical_id, "bucket replication", text(destination.get("Bucket")), region)
    for stack, logical_id, resource in templates.of_type("AWS::Backup::BackupPlan"):
        for rule in resource.get("Properties", {}).get("BackupPlan", {}).get("BackupPlanRule", []):
            for action in rule.get("CopyActions", []):
                vault = action.get("DestinationBackupVaultArn")
                copy(stack, logical_id, f"backup copy ({rule.get('RuleName')})", text(vault), templates.region_of(stack, vault))
    for stack, logical_id, resource in templates.of_type("AWS::RDS::DBInstance"):
        source = resource.get("Properties", {}).get("SourceDBInstanceIdentifier")
        if source is not None:
            copy(stack, logical_id, "read replica", f"replica of {text(source)}", stack.region)
    for stack, logical_id, resource in templates.of_type("AWS::SecretsManager::Secret"):
        for replica in as_list(resource.get("Properties", {}).get("ReplicaRegions")):
            copy(stack, logical_id, "secret replica", text(resource["Properties"].get("Name")), text(replica.get("Region")))
    return section
