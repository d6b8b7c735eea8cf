"""Deploy a tenant's synthesized stacks into the local sandbox, as the CDK CLI would deploy them.

For each stack in order (dr, primary, replica): the environment is prepared as `cdk bootstrap`
would have prepared it (the assets bucket and the bootstrap version parameter the templates
check), the stack's file assets are published from its asset manifest, and the template, exactly
as synthesized, is created, updated or left alone when nothing changed. A failed stack is
reported with CloudFormation's own reasons, and the stacks after it are not attempted.

The templates reach CloudFormation by `TemplateURL` on the sandbox's S3 (templates over 51,200
bytes must, and moto reads path-style URLs only on a `localhost` host). Sessions are injected:
`session_for(region)` returns a boto3 session acting in the tenant's account.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from tenantkit.aws import Failure, classify, error_code
from tenantkit.compliance.assembly import StackArtifact, stack_artifacts
from tenantkit.naming import CDK_QUALIFIER, cdk_assets_bucket

BOOTSTRAP_VERSION_PARAMETER = f"/cdk-bootstrap/{CDK_QUALIFIER}/version"
BOOTSTRAP_VERSION = "30"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
DONE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED"}
SUCCEEDED = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
WAIT_TIMEOUT_S = 300.0

SessionFor = Callable[[str], Any]
"""region -> a boto3 Session acting in the tenant's account, against the sandbox endpoint."""
Prepared = set[tuple[str, str]]
"""The environments (account, region) one deploy run has prepared (`prepare_environment`): each
is prepared by the first stack deployed there, not once per stack (two calls each, both refused
as already done after the first). One set per run, never kept across runs: a sandbox reset since
would have emptied them."""


class StackOutcome(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True)
class ResourceChange:
    """What a deploy does to one resource: Add, Modify (naming the properties it changes), Remove,
    or Revert (drift written back by `deploy --repair`)."""

    logical_id: str
    resource_type: str
    action: str
    properties: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"logical_id": self.logical_id, "type": self.resource_type, "action": self.action, "properties": list(self.properties)}

    def __str__(self) -> str:
        changed = f" ({', '.join(self.properties)})" if self.properties else ""
        return f"{self.action} {self.logical_id} [{self.resource_type}]{changed}"


def resource_changes(deployed: dict[str, Any] | None, synthesized: dict[str, Any]) -> tuple[ResourceChange, ...]:
    """The per-resource difference between the deployed template (None: no stack) and the
    synthesized one, in logical id order."""
    before = (deployed or {}).get("Resources", {})
    after = synthesized.get("Resources", {})
    changes = []
    for logical_id in sorted(set(before) | set(after)):
        old, new = before.get(logical_id), after.get(logical_id)
        if old is None:
            changes.append(ResourceChange(logical_id, new["Type"], "Add"))
        elif new is None:
            changes.append(ResourceChange(logical_id, old["Type"], "Remove"))
        elif old != new:
            props_before, props_after = old.get("Properties", {}), new.get("Properties", {})
            names = tuple(sorted(n for n in set(props_before) | set(props_after) if props_before.get(n) != props_after.get(n)))
            changes.append(ResourceChange(logical_id, new["Type"], "Modify", names))
    return tuple(changes)


@dataclass(frozen=True)
class StackResult:
    stack: str
    region: str
    outcome: StackOutcome
    reasons: tuple[str, ...] = ()
    """CloudFormation's events for a failed stack: `LogicalId (Type): reason`."""
    changes: tuple[ResourceChange, ...] = ()
    """What the deploy changed, per resource (nothing for an unchanged stack)."""


@dataclass
class DeployResult:
    tenant_id: str
    stacks: list[StackResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.stacks) and all(
            s.outcome in (StackOutcome.CREATED, StackOutcome.UPDATED, StackOutcome.UNCHANGED) for s in self.stacks
        )


def deploy_assembly(
    tenant_id: str,
    assembly_dir: Path,
    stack_names: Sequence[str],
    *,
    account: str,
    session_for: SessionFor,
    template_url_host: str,
    prepared: Prepared | None = None,
) -> DeployResult:
    """Deploy the named stacks of `assembly_dir`, in order, into the sandbox; `template_url_host`
    is `localhost:<port>` of the sandbox's S3; `prepared`: the run's (None: every stack prepares
    its environment)."""
    started = time.monotonic()
    result = DeployResult(tenant_id)
    artifacts = stack_artifacts(assembly_dir, stack_names)
    for index, artifact in enumerate(artifacts):
        try:
            outcome, changes = _deploy_stack(
                artifact, session_for(artifact.region), account=account, host=template_url_host, prepared=prepared
            )
        except StackFailed as failure:
            reasons = failure.reasons
        except Exception as error:  # noqa: BLE001 - whatever the endpoint did, it is this stack's failure
            reasons = (f"{type(error).__name__}: {_first_line(str(error))}",)
        else:
            result.stacks.append(StackResult(artifact.name, artifact.region, outcome, changes=changes))
            continue
        result.stacks.append(StackResult(artifact.name, artifact.region, StackOutcome.FAILED, reasons))
        result.stacks.extend(
            StackResult(later.name, later.region, StackOutcome.NOT_ATTEMPTED) for later in artifacts[index + 1 :]
        )
        break
    result.seconds = time.monotonic() - started
    return result


def stacks_in(cloudformation: Any) -> dict[str, dict[str, Any]]:
    """Every stack of the client's account and region by name (DescribeStacks without a name,
    every page): one call for all the tenants of an account and region, not one per stack."""
    from tenantkit.aws import pages

    return {stack["StackName"]: stack for stack in pages(cloudformation, "describe_stacks", "Stacks") if stack["StackStatus"] != "DELETE_COMPLETE"}


def deployed_unchanged(
    tenant_id: str, templates: Sequence[tuple[str, str, str]], deployed: Callable[[str], Mapping[str, dict[str, Any]]]
) -> DeployResult | None:
    """A tenant's result when each of its stacks, (stack, region, sha256 of the template it would
    deploy), is deployed and tagged with that digest: every stack UNCHANGED, with nothing read,
    published or synthesized. None as soon as one is not. `deployed(region)`: the stacks of the
    tenant's account there by name (`stacks_in`)."""
    stacks = []
    for name, region, digest in templates:
        if not _tagged_with(deployed(region).get(name), digest):
            return None
        stacks.append(StackResult(name, region, StackOutcome.UNCHANGED))
    return DeployResult(tenant_id, stacks) if stacks else None


class StackFailed(Exception):
    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons))


def prepare_environment(session: Any, *, account: str, region: str) -> str:
    """What `cdk bootstrap` leaves in an environment and the templates rely on: the assets bucket
    and the bootstrap version parameter. Returns the bucket name."""
    bucket = cdk_assets_bucket(account, region)
    s3 = session.client("s3")
    create = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=bucket, **create)
    except ClientError as error:  # tenants deployed in parallel share their account's bucket
        if error_code(error) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    ssm = session.client("ssm")
    try:
        ssm.put_parameter(Name=BOOTSTRAP_VERSION_PARAMETER, Value=BOOTSTRAP_VERSION, Type="String")
    except ClientError as error:
        if error_code(error) != "ParameterAlreadyExists":
            raise
    return bucket


def publish_assets(artifact: StackArtifact, session: Any, *, account: str) -> dict[str, tuple[str, str]]:
    """Upload the stack's file assets where its template expects them; returns
    source path -> (bucket, key) for every published asset (the template among them)."""
    if artifact.assets_file is None:
        return {}
    manifest = json.loads(artifact.assets_file.read_text())
    base = artifact.assets_file.parent
    s3 = session.client("s3")
    published = {}
    for asset in manifest.get("files", {}).values():
        source = base / asset["source"]["path"]
        body = _zipped(source) if asset["source"].get("packaging") == "zip" else source.read_bytes()
        for destination in asset["destinations"].values():
            bucket = destination["bucketName"].replace("${AWS::AccountId}", account)
            key = destination["objectKey"]
            s3.put_object(Bucket=bucket, Key=key, Body=body)
            published[asset["source"]["path"]] = (bucket, key)
    return published


def deployed_template(cloudformation: Any, name: str) -> dict[str, Any] | None:
    """The template of the stack as deployed; None when there is no stack to update."""
    current = _current(cloudformation, name)
    if current is None or current["StackStatus"] not in SUCCEEDED | {"UPDATE_ROLLBACK_COMPLETE"}:
        return None
    body = cloudformation.get_template(StackName=name)["TemplateBody"]
    return body if isinstance(body, dict) else json.loads(body)


def _deploy_stack(
    artifact: StackArtifact, session: Any, *, account: str, host: str, prepared: Prepared | None = None
) -> tuple[StackOutcome, tuple[ResourceChange, ...]]:
    template_text = artifact.template_text()
    cloudformation = session.client("cloudformation")
    current = _current(cloudformation, artifact.name)
    deployed = current is not None and current["StackStatus"] in SUCCEEDED | {"UPDATE_ROLLBACK_COMPLETE"}
    digest = hashlib.sha256(template_text.encode()).hexdigest()
    # Hash first: the digest tagged on the stack by the deploy that wrote it makes an unchanged
    # stack cost one DescribeStacks (100 unchanged tenants in seconds), no template fetched or parsed.
    if _tagged_with(current, digest):
        return StackOutcome.UNCHANGED, ()
    before = deployed_template(cloudformation, artifact.name) if deployed else None
    changes = resource_changes(before, json.loads(template_text))
    # The template names its assets by content hash: the same template needs nothing published.
    if deployed and not changes and _same_template(before, template_text):
        return StackOutcome.UNCHANGED, ()
    environment = (account, artifact.region)
    if prepared is None or environment not in prepared:
        prepare_environment(session, account=account, region=artifact.region)
        if prepared is not None:
            prepared.add(environment)
    bucket = cdk_assets_bucket(account, artifact.region)
    published = publish_assets(artifact, session, account=account)
    bucket, key = published.get(artifact.template_file.name, (bucket, ""))
    if not key:  # no asset manifest entry for the template: publish it under its hash
        key = f"{digest}.json"
        session.client("s3").put_object(Bucket=bucket, Key=key, Body=template_text.encode())
    url = f"http://{host}/{bucket}/{key}"
    if deployed:
        try:
            cloudformation.update_stack(
                StackName=artifact.name, TemplateURL=url, Capabilities=CAPABILITIES, Tags=_digest_tags(digest)
            )
        except ClientError as error:
            if "No updates are to be performed" in str(error):
                return StackOutcome.UNCHANGED, ()
            raise StackFailed([f"{artifact.name}: {error}"]) from None
        _wait(cloudformation, artifact.name)
        return StackOutcome.UPDATED, changes
    if current is not None:  # a failed create leaves a stack that can only be deleted
        cloudformation.delete_stack(StackName=artifact.name)
    try:
        cloudformation.create_stack(
            StackName=artifact.name,
            TemplateURL=url,
            Capabilities=CAPABILITIES,
            EnableTerminationProtection=True,
            Tags=_digest_tags(digest),
        )
    except ClientError as error:  # refused outright (moto validates some resources synchronously)
        raise StackFailed([f"{artifact.name}: {error}"]) from None
    _wait(cloudformation, artifact.name)
    return StackOutcome.CREATED, changes


def _current(cloudformation: Any, name: str) -> dict[str, Any] | None:
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if classify(error) is Failure.ABSENT:
            return None
        raise
    return None if stack["StackStatus"] == "DELETE_COMPLETE" else stack


TEMPLATE_DIGEST_TAG = "tenantkit:template-sha256"
"""Stack tag: SHA-256 of the template text the stack was last created or updated with (only this
module creates and updates sandbox stacks, so the tag cannot go stale behind its back)."""


def _digest_tags(digest: str) -> list[dict[str, str]]:
    return [{"Key": TEMPLATE_DIGEST_TAG, "Value": digest}]


def _template_digest(stack: dict[str, Any]) -> str | None:
    return next((tag["Value"] for tag in stack.get("Tags", []) if tag["Key"] == TEMPLATE_DIGEST_TAG), None)


def _tagged_with(stack: dict[str, Any] | None, digest: str) -> bool:
    """The stack is deployed, last by a deploy of the template whose digest is `digest`."""
    return stack is not None and stack["StackStatus"] in SUCCEEDED | {"UPDATE_ROLLBACK_COMPLETE"} and _template_digest(stack) == digest


def _same_template(deployed: Any, synthesized: str) -> bool:
    deployed_dict = deployed if isinstance(deployed, dict) else json.loads(deployed)
    return deployed_dict == json.loads(synthesized)


def _wait(cloudformation: Any, name: str) -> None:
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while True:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
        status = stack["StackStatus"]
        if status in DONE:
            break
        if time.monotonic() > deadline:
            raise StackFailed([f"{name}: still {status} after {WAIT_TIMEOUT_S:.0f} s"])
        time.sleep(0.2)
    if status not in SUCCEEDED:
        raise StackFailed(_failure_reasons(cloudformation, name, status))


def _failure_reasons(cloudformation: Any, name: str, status: str) -> list[str]:
    events = cloudformation.describe_stack_events(StackName=name)["StackEvents"]
    reasons = [
        f"{e['LogicalResourceId']} ({e['ResourceType']}): {e.get('ResourceStatusReason', e['ResourceStatus'])}"
        for e in events
        if e["ResourceStatus"].endswith("FAILED")
    ]
    return reasons or [f"{name}: {status}"]


def _zipped(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory))
    return buffer.getvalue()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
