"""Offboarding against a real sandbox process, as users run it.

Two tenants side by side in one account and the same two regions (copies of northwind-us under
other ids): `gone-us` is offboarded in one uninterrupted run, and `kept-us` must come through it
untouched, object for object. A run that fails at every kind of step in turn (each rerun finishing
one more) is tests/lifecycle/test_offboarding_faults.py, in-process: every kind is made there. fleet.yaml adds the example extension (an SQS queue and its
dead-letter queue per tenant, examples/extensions/sqs_queue.py) to every tenant. Each has an hourly backup run (recovery points and RDS
snapshots in both regions), a manual DB snapshot copied to the DR region, and versioned objects
(more than one page of versions and delete markers).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tenantkit.config import validate_paths
from tenantkit.lifecycle.backup_now import backup_now
from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT
from tenantkit.lifecycle.local import deploy_local, inventory_tenants
from tenantkit.lifecycle.offboarding import service
from tenantkit.lifecycle.offboarding.resources import KINDS
from tenantkit.lifecycle.report import generate_keypair, read_report, verify_report
from tenantkit.review.model import flags_of
from tenantkit.review.service import review_tenant
from tenantkit.sandbox import start_sandbox, stop_sandbox
from tests.conftest import EXAMPLE_CONFIGS

pytestmark = pytest.mark.slow
GONE, KEPT = "gone-us", "kept-us"
KEYS, VERSIONS_PER_KEY, MARKERS = 800, 3, 400  # 2,400 versions and 400 delete markers: three pages
EXTENSION = "extensions:\n  - callable: examples.extensions.sqs_queue:add_queue\n    stack: primary\n"
QUEUES = ("jobs", "jobs-dlq")  # examples/extensions/sqs_queue.py


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("offboarding")
    configs = root / "tenant_configs"
    configs.mkdir()
    template = (EXAMPLE_CONFIGS / "northwind-us.yaml").read_text(encoding="utf-8")
    for tenant in (GONE, KEPT):
        text = template.replace("northwind-us", tenant).replace("subscription:\n", "subscription:\n  ends_on: 2026-01-31\n", 1)
        (configs / f"{tenant}.yaml").write_text(text, encoding="utf-8")
    (root / "fleet.yaml").write_text(EXTENSION, encoding="utf-8")
    state = root / ".tenantkit"
    status, _ = start_sandbox(state)
    try:
        for deployed in deploy_local(configs, [GONE, KEPT], root / "cdk.out", state, concurrency=2, root=root):
            assert deployed.ok, deployed
        private, public = generate_keypair(root / "keys")
        context = {"root": root, "configs": configs, "state": state, "private": private, "public": public}
        for tenant in (GONE, KEPT):
            _populate(context, tenant)
        yield context
    finally:
        stop_sandbox(state)


def _config(context, tenant):
    (config,) = [c for c in validate_paths([context["configs"]]).configs if c.tenant_id == tenant]
    return config


def _scope(context, tenant):
    config = _config(context, tenant)
    return config, service.scope_for(config, service.environment(config, local=True, state_dir=context["state"]))


def _populate(context, tenant):
    config, scope = _scope(context, tenant)
    names = scope.names
    backup_now(tenant, account=SANDBOX_ACCOUNT, primary_region=names.primary_region, secondary_region=names.secondary_region, session_for=scope.session_for)
    rds = scope.client("rds", names.primary_region)
    snapshot = rds.create_db_snapshot(DBInstanceIdentifier=names.db_instance, DBSnapshotIdentifier=f"{tenant}-manual")["DBSnapshot"]
    scope.client("rds", names.secondary_region).copy_db_snapshot(
        SourceDBSnapshotIdentifier=snapshot["DBSnapshotArn"], TargetDBSnapshotIdentifier=f"{tenant}-manual-copy", SourceRegion=names.primary_region
    )
    s3 = scope.client("s3", names.primary_region)
    key = scope.client("kms", names.primary_region).describe_key(KeyId=names.key_alias)["KeyMetadata"]["Arn"]
    for index in range(KEYS):
        for _ in range(VERSIONS_PER_KEY):
            s3.put_object(Bucket=names.data_bucket, Key=f"records/{index}", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    # one DeleteObjects for every marker (a request each cost the sandbox 400): each key gets the
    # same delete marker, replicated to the DR bucket, as a DeleteObject of it would leave
    marked = s3.delete_objects(Bucket=names.data_bucket, Delete={"Objects": [{"Key": f"records/{index}"} for index in range(MARKERS)], "Quiet": True})
    assert not marked.get("Errors"), marked["Errors"]
    for stack, region in ((names.primary_stack, names.primary_region), (names.replica_stack, names.secondary_region)):
        resources = scope.client("cloudformation", region).list_stack_resources(StackName=stack)["StackResourceSummaries"]
        for function in [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function"]:
            # the group Lambda creates at the custom-resource provider's first run (the sandbox runs no Lambda)
            scope.client("logs", region).create_log_group(logGroupName=f"/aws/lambda/{function}")


def _state(context, tenant):
    """Everything of a tenant, as offboarding's discovery and the services see it."""
    _, scope = _scope(context, tenant)
    found = service.discover(scope)
    names = scope.names
    s3 = scope.client("s3", names.primary_region)
    buckets = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=names.data_bucket) if names.data_bucket in buckets else []
    versions = [(v["Key"], v["VersionId"]) for page in pages for v in page.get("Versions", [])]
    # A log bucket's count grows with every request to the bucket it logs (this test's own reads).
    targets = [(t.kind, t.region, t.name, {} if "-logs-" in t.name else t.counts) for t in found.targets]
    return {"targets": targets, "versions": sorted(versions)}


def _execute(context, tenant, **kwargs):
    config = _config(context, tenant)
    env = service.environment(config, local=True, state_dir=context["state"])
    return service.execute(
        config, env, state_dir=context["state"], reports_root=context["root"] / "reports",
        signing_key_path=context["private"], force=False, reason=None, **kwargs,
    )


@pytest.fixture(scope="module")
def kept_before(sandbox):
    return _state(sandbox, KEPT)


@pytest.fixture(scope="module")
def gone(sandbox, kept_before):
    _, scope = _scope(sandbox, GONE)
    plan = service.discover(scope)
    return {"plan": plan, "outcome": _execute(sandbox, GONE)}


def _queue_names(context, tenant) -> set[str]:
    _, scope = _scope(context, tenant)
    sqs = scope.client("sqs", scope.names.primary_region)
    return {url.rsplit("/", 1)[-1] for url in sqs.list_queues(QueueNamePrefix=f"tenantkit-{tenant}-ext-").get("QueueUrls", [])}


def test_the_extension_is_deployed_inventoried_and_reviewed(sandbox):
    _, scope = _scope(sandbox, KEPT)
    expected = {scope.names.extension_resource(queue) for queue in QUEUES}
    assert _queue_names(sandbox, KEPT) == expected
    (inventory,) = inventory_tenants(sandbox["configs"], [KEPT], sandbox["root"] / "cdk.out", sandbox["state"], local=True, root=sandbox["root"])
    queues = {item.name: item for item in inventory.items if item.kind == "queue"}
    assert set(queues) == expected
    assert all(item.problems == () and item.unchecked == () and item.details["tls_only"] for item in queues.values()), queues
    model = review_tenant(sandbox["configs"], KEPT, sandbox["root"] / "review.out", root=sandbox["root"])
    assert all(name in json.dumps(model) for name in expected)
    assert not [flag for flag in flags_of(model) if "Jobs" in json.dumps(flag)], flags_of(model)


def test_the_extension_is_destroyed_with_the_tenant_and_the_neighbours_kept(sandbox, gone):
    assert _queue_names(sandbox, GONE) == set()
    _, scope = _scope(sandbox, KEPT)
    assert _queue_names(sandbox, KEPT) == {scope.names.extension_resource(queue) for queue in QUEUES}


def test_the_plan_finds_every_copy_in_both_regions(gone):
    totals = gone["plan"].totals()
    # the data bucket's delete markers, and their replicas in the DR bucket (DeleteMarkerReplication)
    assert totals["bucket"]["object_versions"] >= KEYS * VERSIONS_PER_KEY and totals["bucket"]["delete_markers"] == 2 * MARKERS
    assert totals["recovery points"] == {"resources": 2, "recovery_points": 4}  # database and data bucket, each copied
    snapshots = {(t.region, t.name) for t in gone["plan"].targets if t.kind == "db snapshot"}
    assert {("us-east-1", f"{GONE}-manual"), ("us-west-2", f"{GONE}-manual-copy")} <= snapshots
    # every kind present, in destruction order, but those only a restore, a monitoring agent, a
    # stray tagged resource, a running backup job or a CDK assembly handed to the plan would make
    # (none in this sandbox; tests/lifecycle/test_offboarding_zone.py, test_offboarding_order.py and
    # test_offboarding_assets.py have them), or an extension's finder (the example's queues go with
    # their stack: tests/lifecycle/test_offboarding_extensions.py has one)
    only_when_made = {"restored instance", "monitoring stream", "tagged resource", "backup job", "cdk asset", "extension resource"}
    assert [kind.name for kind in KINDS if kind.name in totals] == list(totals)
    assert {kind.name for kind in KINDS} - set(totals) <= only_when_made
    assert gone["plan"].blockers == []


def test_one_run_destroys_everything_and_signs_a_verified_report(sandbox, gone):
    outcome = gone["outcome"]
    assert outcome.verification_ok, outcome.remaining
    assert verify_report(outcome.report_json, sandbox["public"]).ok
    report = read_report(outcome.report_json)
    assert report.verification.ok and report.sandbox and not report.forced
    bucket = next(r for r in report.resources if r.name.startswith(f"{GONE}-data-"))
    assert bucket.counts["object_versions"] >= KEYS * VERSIONS_PER_KEY and bucket.counts["delete_markers"] == MARKERS
    assert sorted(k.region for k in report.keys) == ["us-east-1", "us-west-2"]
    assert all(k.pending_window_days == 30 for k in report.keys)
    assert _state(sandbox, GONE)["targets"] == []  # nothing left to find: the key aliases too (the keys wait out their window)
    _, scope = _scope(sandbox, GONE)
    assert (report.resources[-1].kind, report.resources[-1].arn) == ("iam role", scope.names.offboarding_role_arn)  # the last step
    with pytest.raises(ClientError, match="NoSuchEntity"):
        scope.client("iam", scope.names.primary_region).get_role(RoleName=scope.names.offboarding_role)
    _, kept = _scope(sandbox, KEPT)
    assert kept.client("iam", kept.names.primary_region).get_role(RoleName=kept.names.offboarding_role)["Role"]["Arn"] == kept.names.offboarding_role_arn


def test_snapshots_and_recovery_points_are_gone_in_both_regions(sandbox, gone):
    _, scope = _scope(sandbox, GONE)
    for region in scope.regions:
        rds = scope.client("rds", region)
        left = [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"] if GONE in s["DBSnapshotIdentifier"] or GONE in s.get("DBInstanceIdentifier", "")]
        assert left == []


def test_the_neighbour_keeps_every_resource_and_every_object(sandbox, gone, kept_before):
    after = _state(sandbox, KEPT)
    assert after == kept_before
    _, scope = _scope(sandbox, KEPT)
    vaults = [(region, vault) for region, vault in ((scope.names.primary_region, scope.names.backup_vault), (scope.names.secondary_region, scope.names.dr_backup_vault))]
    for region, vault in vaults:
        points = scope.client("backup", region).list_recovery_points_by_backup_vault(BackupVaultName=vault)["RecoveryPoints"]
        assert len(points) == 2


def test_a_second_run_after_completion_changes_nothing(sandbox, gone):
    again = _execute(sandbox, GONE)
    assert again.already_done and again.report_json == gone["outcome"].report_json


def test_reports_stay_and_the_journal_points_at_them(sandbox, gone):
    report = gone["outcome"].report_json
    assert sorted(path.name for path in report.parent.iterdir()) == sorted(
        f"{report.stem}{suffix}" for suffix in (".html", ".json", ".json.sig", ".md")
    )
    journal = json.loads(service.journal_path(sandbox["state"], GONE).read_text())
    assert Path(journal["report"]) == report and journal["verification"]["ok"]


# --- states, generations, orphans and locks (issue 20): on the tenants offboarded above ---------
# These run last in this module: `test_reinstated_...` starts GONE's second generation, so the
# tests above that read GONE's first one come first (pytest keeps the file's order).

HOLD_LOCK = """
import sys
from pathlib import Path
from tenantkit.lifecycle.state import tenant_lock
from tenantkit.lifecycle.state.service import sandbox_guard
shared = sandbox_guard("deploy", endpoint=sys.argv[3], state_dir=Path(sys.argv[2])).shared
with tenant_lock(sys.argv[1], "deploy", state_dir=Path(sys.argv[2]), shared=shared):
    print("held", flush=True)
    sys.stdin.read()
"""


def _store(context, config):
    from tenantkit.lifecycle.fleet import sandbox_sessions
    from tenantkit.lifecycle.local import running_sandbox
    from tenantkit.lifecycle.state.service import names_of, store_in

    store = store_in("sandbox", sandbox_sessions(running_sandbox(context["state"]).endpoint, config.account), context["state"])
    return store, names_of(config, config.account or "")


def test_an_offboarded_tenant_is_recorded_so_and_deploy_refuses_it_naming_the_report(sandbox, gone):
    from tenantkit.lifecycle.state import State, StateError

    store, names = _store(sandbox, _config(sandbox, GONE))
    recorded = store.read(names)
    assert (recorded.state, recorded.generation, recorded.report) == (State.OFFBOARDED, 1, str(gone["outcome"].report_json))
    with pytest.raises(StateError, match=rf"{GONE} is offboarded since .*report {gone['outcome'].report_json}.*deploy refused"):
        deploy_local(sandbox["configs"], [GONE], sandbox["root"] / "cdk.out", sandbox["state"], concurrency=1)
    assert store.cached(GONE) == recorded  # the local copy follows the sandbox's


def test_a_second_deploy_is_refused_naming_the_holder_on_this_machine_and_across_machines(sandbox):
    import subprocess
    import sys

    from tenantkit.lifecycle.local import running_sandbox
    from tenantkit.lifecycle.state import LockHeld

    endpoint = running_sandbox(sandbox["state"]).endpoint
    for holder_state, where in ((sandbox["state"], "on this machine"), (sandbox["root"] / "other-machine", "in the sandbox")):
        child = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, KEPT, str(holder_state), endpoint], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "held"
            with pytest.raises(LockHeld, match=rf"{KEPT} is locked {where} by deploy by .*\(pid {child.pid} on .*\) since "):
                deploy_local(sandbox["configs"], [KEPT], sandbox["root"] / "cdk.out", sandbox["state"], concurrency=1)
        finally:
            child.stdin.close()
            child.wait(timeout=120)


def test_a_deployed_tenant_without_a_file_is_an_orphan_and_list_exits_1(sandbox, gone, monkeypatch):
    import shutil

    from typer.testing import CliRunner

    from tenantkit.cli.main import app

    without_kept = sandbox["root"] / "without-kept"
    without_kept.mkdir(exist_ok=True)
    for tenant in (GONE,):
        shutil.copy(sandbox["configs"] / f"{tenant}.yaml", without_kept / f"{tenant}.yaml")
    monkeypatch.chdir(sandbox["root"])  # the CLI's .tenantkit/ is the sandbox's
    result = CliRunner().invoke(app, ["list", "--local", "--dir", str(without_kept)])
    assert result.exit_code == 1, result.output
    assert f"error: orphan: {KEPT}: deployed (stack tenant-{KEPT}-" in result.output, result.output
    assert f"orphan: {GONE}" not in result.output  # offboarded: its pending keys are not a deployment
    listed = CliRunner().invoke(app, ["list", "--local", "--dir", str(sandbox["configs"]), "--json"])
    assert listed.exit_code == 0, listed.output
    states = {row["tenant_id"]: row["state"] for row in json.loads(listed.output)["tenants"]}
    assert states[KEPT] == "active" and states[GONE].startswith("offboarded since")


def test_reinstated_as_generation_2_it_deploys_and_its_second_offboarding_verifies(sandbox, gone):
    from tenantkit.config import find_tenant
    from tenantkit.lifecycle.state import State
    from tenantkit.lifecycle.state.service import reinstate

    loaded = find_tenant(sandbox["configs"], GONE)
    store, names = _store(sandbox, loaded.config)
    state = reinstate(loaded.config, loaded.source, store, by="test", reason="the customer signed again")
    assert (state.state, state.generation) == (State.ACTIVE, 2)
    (deployed,) = deploy_local(sandbox["configs"], [GONE], sandbox["root"] / "cdk.out", sandbox["state"], concurrency=1)
    assert deployed.ok, deployed
    config, scope = _scope(sandbox, GONE)
    assert config.generation == 2 and scope.names.key_alias == f"alias/tenantkit/{GONE}/generation-2"
    # the generation's own offboarding role: generation 1's collided with this deploy while its stack retained it
    iam = scope.client("iam", config.primary_region)
    assert iam.get_role(RoleName=f"tenantkit-{GONE}-offboarding-g2")["Role"]["Arn"] == scope.names.offboarding_role_arn
    kms = scope.client("kms", config.primary_region)
    assert kms.describe_key(KeyId=scope.names.key_alias)["KeyMetadata"]["KeyState"] == "Enabled"
    again = _execute(sandbox, GONE)
    assert again.verification_ok and not again.already_done, again.remaining
    assert again.journal == service.journal_path(sandbox["state"], GONE, 2) and again.report_json != gone["outcome"].report_json
    assert verify_report(again.report_json, sandbox["public"]).ok
    assert service.journal_path(sandbox["state"], GONE).exists()  # the first generation's journal is kept
    final = store.read(names)
    assert (final.state, final.generation, final.report) == (State.OFFBOARDED, 2, str(again.report_json))
