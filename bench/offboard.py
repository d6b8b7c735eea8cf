"""Time the offboarding of one example tenant in the sandbox, as whole `tenantkit` processes (the
issue's target: at most 30 s).

    .venv/bin/python bench/offboard.py                 # maple-ca, with northwind-us beside it
    .venv/bin/python bench/offboard.py --objects 2000

In a temporary project directory holding maple-ca (its subscription moved into the past) and
northwind-us: sandbox up, deploy both, one hourly backup run of maple-ca, `--objects` object
versions written to its data bucket; then timed: `offboard plan --local` and `offboard execute
--local` (which verifies and signs), then `report verify`. Prints each wall time; exits 1 if any
step fails or the neighbour's inventory flags anything afterwards.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "tenantkit")
TENANT, NEIGHBOUR = "maple-ca", "northwind-us"


def run(project: Path, *arguments: str) -> float:
    started = time.perf_counter()
    process = subprocess.run([CLI, *arguments], cwd=project, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"tenantkit {' '.join(arguments)}: exit {process.returncode}\n{process.stdout[-2000:]}\n{process.stderr[-2000:]}")
    return elapsed


def write_objects(project: Path, count: int) -> None:
    """`count` object versions (SSE-KMS under the tenant key, as its bucket policy demands)."""
    import json

    import boto3

    port = json.loads((project / ".tenantkit" / "sandbox.json").read_text())["port"]
    endpoint = f"http://127.0.0.1:{port}"
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    credentials = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/bench", RoleSessionName="bench")["Credentials"]
    session = boto3.Session(
        region_name="ca-central-1", aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
    )
    key = session.client("kms", endpoint_url=endpoint).describe_key(KeyId=f"alias/tenantkit/{TENANT}")["KeyMetadata"]["Arn"]
    s3 = session.client("s3", endpoint_url=endpoint)
    for index in range(count):
        s3.put_object(Bucket=f"{TENANT}-data-111122223333-ca-central-1", Key=f"records/{index % 500}", Body=b"x",
                      ServerSideEncryption="aws:kms", SSEKMSKeyId=key)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tenantkit-offboard-") as directory:
        project = Path(directory)
        (project / "tenant_configs").mkdir()
        for tenant in (TENANT, NEIGHBOUR):
            shutil.copy(ROOT / "tenant_configs" / f"{tenant}.yaml", project / "tenant_configs")
        try:
            run(project, "sandbox", "up")
            run(project, "deploy", "--all", "--local")
            run(project, "sandbox", "backup-now", TENANT)
            write_objects(project, args.objects)
            run(project, "offboard", "start", TENANT, "--ends-on", "2026-01-31")
            run(project, "report", "keygen", "--out", "keys")
            planned = run(project, "offboard", "plan", TENANT, "--local")
            executed = run(project, "offboard", "execute", TENANT, "--local", "--confirm", TENANT, "--signing-key", "keys/tenantkit-reports.key.pem")
            (report,) = (project / "reports" / TENANT).glob("*.json")
            verified = run(project, "report", "verify", str(report), "--public-key", "keys/tenantkit-reports.pub.pem")
            run(project, "inventory", NEIGHBOUR, "--local")
        finally:
            subprocess.run([CLI, "sandbox", "down"], cwd=project, capture_output=True)
    print(f"offboard plan --local:    {planned:6.1f} s")
    print(f"offboard execute --local: {executed:6.1f} s  (target <= 30 s; {args.objects} object versions, 4 recovery points)")
    print(f"report verify:            {verified:6.1f} s")


if __name__ == "__main__":
    main()
