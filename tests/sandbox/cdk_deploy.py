"""Deploy a synthesized CDK assembly into moto (in-process `mock_aws`) the way `cdk deploy
--method=direct` does: bootstrap each environment (the bootstrap version parameter and the
assets bucket), publish the stack's file assets, then CreateStack with the template from the
assets bucket when it exceeds CreateStack's body limit. Templates are never edited.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import boto3

BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
TEMPLATE_BODY_LIMIT = 51_200
MOTO_S3_URL = "http://localhost:5000"  # moto reads path-style TemplateURLs on a localhost host only


def bootstrap(account: str, region: str) -> str:
    """What `cdk bootstrap` leaves that a deploy reads: the version parameter and the assets
    bucket (returned)."""
    boto3.client("ssm", region_name=region).put_parameter(
        Name=BOOTSTRAP_VERSION_PARAMETER, Value="30", Type="String", Overwrite=True
    )
    bucket = f"cdk-hnb659fds-assets-{account}-{region}"
    s3 = boto3.client("s3", region_name=region)
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        # us-east-1 takes no location constraint (S3 refuses one naming it: InvalidLocationConstraint)
        where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **where)
    return bucket


def _packaged(source: Path, packaging: str) -> bytes:
    if packaging == "file":
        return source.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
    return buffer.getvalue()


def publish_assets(assembly: Path, stack_name: str) -> None:
    """Upload the stack's file assets (its Lambda code and its template) as `cdk deploy` does."""
    manifest = json.loads((assembly / f"{stack_name}.assets.json").read_text())
    for asset in manifest["files"].values():
        body = _packaged(assembly / asset["source"]["path"], asset["source"]["packaging"])
        for destination in asset["destinations"].values():
            s3 = boto3.client("s3", region_name=destination["region"])
            s3.put_object(Bucket=destination["bucketName"], Key=destination["objectKey"], Body=body)


def create_stack(assembly: Path, stack_name: str, region: str) -> str:
    """CreateStack of the synthesized template as it is; returns the stack's status."""
    template_path = assembly / f"{stack_name}.template.json"
    body = template_path.read_text()
    cloudformation = boto3.client("cloudformation", region_name=region)
    if len(body.encode()) <= TEMPLATE_BODY_LIMIT:
        source = {"TemplateBody": body}
    else:
        manifest = json.loads((assembly / f"{stack_name}.assets.json").read_text())
        (destination,) = (
            d
            for asset in manifest["files"].values()
            if asset["source"]["path"] == template_path.name
            for d in asset["destinations"].values()
        )
        source = {"TemplateURL": f"{MOTO_S3_URL}/{destination['bucketName']}/{destination['objectKey']}"}
    cloudformation.create_stack(StackName=stack_name, Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"], **source)
    return cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
