"""Offboarding readiness: what `tenantkit offboard plan` would have to lift (deletion protection,
retain policies, the resource policies' denies, which let only the offboarding role destroy) or
could not lift (S3 Object Lock, a vault lock: recovery points stay until their retention ends),
and where audit records of the tenant remain after it (the shared trail's bucket)."""

from __future__ import annotations

import json
from typing import Any

from tenantkit.naming import TenantNames, audit_bucket
from tenantkit.review.model import Section
from tenantkit.review.sections._words import days, text, where
from tenantkit.review.sections.audit import baseline_dir, baseline_templates
from tenantkit.review.source import TenantTemplates

ID = "offboarding"
TITLE = "Offboarding readiness"


def _names_offboarding(value: Any, role_name: str) -> bool:
    return role_name in json.dumps(value, default=str)


def build(templates: TenantTemplates) -> Section:
    section = Section(ID, TITLE)
    primary, dr = templates.stack("primary"), templates.stack("dr")
    names = TenantNames(tenant_id=templates.tenant_id, account="-", primary_region=primary.region if primary else "-",
                        secondary_region=dr.region if dr else "-")
    role_name = names.offboarding_role  # the role's name alone: the account is not needed
    plan = section.table("What offboarding would lift or could not", "Resource", "Kind", "Protection", "Offboarding")
    roles = [(stack, logical_id) for stack, logical_id, resource in templates.of_type("AWS::IAM::Role")
             if text(resource.get("Properties", {}).get("RoleName")) == role_name]
    if not roles:
        primary = templates.stack("primary") or templates.stacks[0]
        section.flag(primary.name, "-", f"no offboarding role ({role_name}): nothing the resource policies' denies let "
                     "destroy the tenant's data")
    for stack, logical_id, resource in templates.resources():
        props = resource.get("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::S3::Bucket":
            lock = props.get("ObjectLockConfiguration")
            if props.get("ObjectLockEnabled") or lock:
                retention = (lock or {}).get("Rule", {}).get("DefaultRetention", {})
                plan.add(where(stack.name, logical_id), where(stack.name, logical_id), "bucket",
                         f"S3 Object Lock ({retention.get('Mode', 'no default')} {days(retention.get('Days'))})",
                         "could not: locked versions stay until their retention ends", flagged=True)
                section.flag(stack.name, logical_id, "S3 Object Lock: offboarding cannot delete locked versions before their retention ends")
        elif kind == "AWS::Backup::BackupVault":
            lock = props.get("LockConfiguration")
            policy = props.get("AccessPolicy")
            if lock:
                plan.add(where(stack.name, logical_id), where(stack.name, logical_id), "backup vault",
                         f"vault lock (min {days(lock.get('MinRetentionDays'))})",
                         "could not: recovery points stay until their retention ends", flagged=True)
                section.flag(stack.name, logical_id, "vault lock: offboarding cannot delete recovery points before their retention ends")
            if policy:
                exempt = _names_offboarding(policy, role_name)
                plan.add(f"{where(stack.name, logical_id)}/policy", where(stack.name, logical_id), "backup vault",
                         "access policy denies deletes", f"acts as {role_name}, which the denies exempt" if exempt else "could not: the denies exempt no offboarding role",
                         flagged=not exempt)
                if not exempt:
                    section.flag(stack.name, logical_id, f"the vault's access policy denies deletes to {role_name} too: offboarding could not empty it")
        elif kind == "AWS::RDS::DBInstance" and props.get("DeletionProtection") is True:
            plan.add(where(stack.name, logical_id), where(stack.name, logical_id), "database", "deletion protection",
                     "lifts it (ModifyDBInstance), then deletes")
        elif kind == "AWS::S3::BucketPolicy":
            docs = props.get("PolicyDocument", {}).get("Statement", [])
            fences = [  # a Deny to everyone but the principals its Not-operator lists
                (doc, block["aws:PrincipalArn"]) for doc in docs if doc.get("Effect") == "Deny"
                for operator, block in (doc.get("Condition") or {}).items() if "Not" in operator and "aws:PrincipalArn" in block
            ]
            for doc, exempted in fences:
                exempt = _names_offboarding(exempted, role_name) or f"/tenantkit/{templates.tenant_id}/*" in json.dumps(exempted)
                plan.add(f"{where(stack.name, logical_id)}/{doc.get('Sid') or 'deny'}", where(stack.name, logical_id), "bucket policy",
                         f"deny {doc.get('Sid') or ''}".strip(), "the deny exempts the tenant's roles, offboarding's among them" if exempt
                         else "could not: the deny exempts no offboarding role", flagged=not exempt)
                if not exempt:
                    section.flag(stack.name, logical_id, f"bucket policy deny {doc.get('Sid') or ''} exempts no offboarding role")
        if resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate") and kind in (
            "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::RDS::DBInstance", "AWS::Backup::BackupVault", "AWS::Logs::LogGroup",
        ):
            plan.add(f"{where(stack.name, logical_id)}/retain", where(stack.name, logical_id), kind,
                     f"kept on stack deletion ({resource['DeletionPolicy']})",
                     "destroyed by offboarding itself (keys: scheduled for deletion, 7-30 days)")
    records = section.table("Audit records after offboarding", "Region", "Where they remain", "Until")
    for stack in templates.stacks:
        if stack.role == "replica":
            continue
        bucket, kept = _trail_bucket(templates, stack.region)
        records.add(stack.region, stack.region, bucket, kept)
    section.summary.append("Records of the tenant in the shared audit trail cannot be deleted per tenant: the destruction "
                           "report names where they remain and until when.")
    return section


def _trail_bucket(templates: TenantTemplates, region: str) -> tuple[str, str]:
    for account, env_region, template in baseline_templates(templates.assembly_dir):
        if env_region != region:
            continue
        for resource in template.get("Resources", {}).values():
            props = resource.get("Properties", {})
            if resource.get("Type") == "AWS::S3::Bucket" and props.get("BucketName") == audit_bucket(account, region):
                expiry = [r.get("ExpirationInDays") for r in props.get("LifecycleConfiguration", {}).get("Rules", []) if r.get("ExpirationInDays")]
                return f"trail bucket {props['BucketName']}", (f"{days(expiry[0])} after each record" if expiry else "never expire")
    return f"no trail bucket found in {baseline_dir(templates.assembly_dir)}", "unknown"
