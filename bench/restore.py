"""Benchmark: how long restores and a drill take in the sandbox's emulator (in-process moto with
tenantkit's extensions): an example tenant synthesized and deployed as it is, OBJECTS objects put
in, one `backup_now`, then a database restored from a recovery point and to a point in time, the
files restored to the backup's time, and a full drill (both regions, every store). Prints the
wall-clock seconds of each. Emulated times: they say how fast the tool's own work is, nothing
about how long AWS takes (an RDS restore there takes minutes, most of it AWS's).

    .venv/bin/python bench/restore.py [--tenant northwind-us] [--objects 200]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="northwind-us")
    parser.add_argument("--objects", type=int, default=200)
    args = parser.parse_args()

    import boto3
    from moto import mock_aws

    from tenantkit.config import validate_paths
    from tenantkit.jsii_node import ensure_jsii_node
    from tenantkit.lifecycle.backup_now import backup_now
    from tenantkit.lifecycle.deploy_local import deploy_assembly
    from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, region_sessions
    from tenantkit.lifecycle.restore import (
        Environment,
        RestoreRequest,
        Store,
        discard_restore,
        run_drill,
        start_export,
        start_failover,
        start_restore,
    )
    from tenantkit.lifecycle.state.service import store_in
    from tenantkit.naming import names_for
    from tenantkit.sandbox.extensions import install
    from tenantkit.synth import synth_tenants

    ensure_jsii_node()
    with tempfile.TemporaryDirectory(prefix="tenantkit-bench-") as tmp:
        configs = Path(tmp) / "tenant_configs"
        configs.mkdir()
        shutil.copy(ROOT / "tenant_configs" / f"{args.tenant}.yaml", configs)
        (config,) = validate_paths([configs]).configs
        if config.account not in (None, SANDBOX_ACCOUNT):
            print(f"{args.tenant}: choose a tenant without an account (it deploys in {SANDBOX_ACCOUNT})", file=sys.stderr)
            return 2
        (synthesized,) = synth_tenants([config], Path(tmp) / "cdk.out", lint=False)
        install()
        with mock_aws():
            sessions = region_sessions(boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench"))
            deployed = deploy_assembly(config.tenant_id, Path(synthesized.assembly_dir), synthesized.stacks, account=SANDBOX_ACCOUNT,
                                       session_for=sessions, template_url_host="localhost:5000")  # fmt: skip
            if not deployed.ok:
                print(f"deploy failed: {deployed}", file=sys.stderr)
                return 1
            names = names_for(config.tenant_id, SANDBOX_ACCOUNT, config.primary_region, config.secondary_region)
            s3 = sessions(config.primary_region).client("s3")
            key = sessions(config.primary_region).client("kms").describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]
            for index in range(args.objects):
                s3.put_object(Bucket=names.data_bucket, Key=f"records/{index}", Body=b"x" * 1024,
                              ServerSideEncryption="aws:kms", SSEKMSKeyId=key)  # fmt: skip
            run = backup_now(config.tenant_id, account=SANDBOX_ACCOUNT, primary_region=config.primary_region,
                             secondary_region=config.secondary_region, session_for=sessions)  # fmt: skip
            point = next(p for p in run.recovery_points if p.resource_arn == names.db_instance_arn).recovery_point_arn
            env = Environment("sandbox", SANDBOX_ACCOUNT, sessions)
            now = datetime.now(UTC)
            requests = {
                "database from a recovery point": RestoreRequest(region=config.primary_region, stores=(Store.DATABASE,), name="bpoint", recovery_point=point),
                "database to a point in time": RestoreRequest(region=config.primary_region, stores=(Store.DATABASE,), name="btime", to=now),
                f"files ({args.objects} objects) to a point in time": RestoreRequest(region=config.primary_region, stores=(Store.FILES,), name="bfiles", to=now),
            }  # fmt: skip
            for what, request in requests.items():
                began = time.perf_counter()
                start_restore(config, env, request)
                print(f"{what}: {time.perf_counter() - began:.2f} s")
                discard_restore(config, env, request.name)
            began = time.perf_counter()
            report = run_drill(config, env)
            print(f"drill (4 stores, 2 regions, scratch deleted): {time.perf_counter() - began:.2f} s, {'passed' if report.ok else 'FAILED'}")
            began = time.perf_counter()
            exported = start_export(config, env, "bexport")
            print(f"export (database export, manifest of {exported.objects} objects): {time.perf_counter() - began:.2f} s")
            began = time.perf_counter()
            status = start_failover(config, env, state_dir=Path(tmp) / "state", reason="bench", by="bench",
                                    store=store_in(env.name, sessions, Path(tmp) / "state"))  # fmt: skip
            print(f"failover (promote, parameters of both regions, secret, state): {time.perf_counter() - began:.2f} s, "
                  f"{'complete' if status.complete else 'INCOMPLETE'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
