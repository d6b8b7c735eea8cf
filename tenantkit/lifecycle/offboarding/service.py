"""The services behind `tenantkit offboard start | status | plan | execute`.

`execute` checks everything it can before it destroys anything: the confirmation names the
tenant, the signing key loads (on any day, not only once destruction is due), the retrieval
deadline has passed (or `force` comes with a reason, which the report keeps), the sandbox runs
(`local`), no target has a blocker tenantkit cannot lift (vault lock, S3 Object Lock), and any
journal is this tenant's in this environment. Then it destroys, journaling every step
(`run.destroy`), and verifies. Only a passing verification completes the run: the signed report
is written under `reports/<tenant>/` and the journal records it, so a rerun changes nothing and
points at it. A verification that finds anything of the tenant leaves the run open, with no
report: what it found is reopened in the journal, and a rerun destroys it, verifies again, and
signs once nothing remains.

Offboarding discovers and destroys with the default credentials (on AWS, in the tenant's account
only: refused otherwise; in the sandbox, the tenant account's deployer session), and empties and
deletes the tenant's own buckets and vaults as the tenant's offboarding role
(`tenantkit-<id>-offboarding`, under the tenant's path), assumed through STS from those
credentials. It must: the data and DR buckets deny `s3:DeleteObjectVersion` and `s3:DeleteBucket`,
the access-log buckets every delete, and both vaults `backup:DeleteRecoveryPoint` and
`DeleteBackupVault*`, to every principal but that role's exact ARN; the role's own policy reaches
those buckets and vaults only. Its credentials refresh themselves (botocore's assume-role
fetcher), so a run longer than one session goes on.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tenantkit import __version__
from tenantkit.config import TenantConfig, TenantStatus
from tenantkit.lifecycle.offboarding.archive import ArchiveBucket
from tenantkit.lifecycle.offboarding.resources import KEY_PENDING_WINDOW_DAYS, OffboardingBlocked, Scope, Target
from tenantkit.lifecycle.offboarding.role import JOURNAL_KEY as ROLE_RECORD
from tenantkit.lifecycle.offboarding.role import KIND as ROLE_KIND
from tenantkit.lifecycle.offboarding.role import retire_offboarding_role, role_retired
from tenantkit.lifecycle.offboarding.run import Journal, Plan, StepCallback, destroy, discover, now, verify
from tenantkit.naming import names_for, stack_names

JOURNAL_DIR = Path("offboarding")
"""Under the state directory (`.tenantkit/`): one journal per tenant."""


class OffboardingRefused(Exception):
    """Offboarding will not start; the message says why and what to do, in one line."""


@dataclass(frozen=True)
class Environment:
    """Where the tenant lives: the sandbox or AWS, the account, and a session per region."""

    name: str
    account: str
    session_for: Callable[[str], Any]
    operator: str
    destroyer_for: Callable[[str], Any] | None = None
    """Sessions acting as the tenant's offboarding role (see the module docstring)."""

    @property
    def sandbox(self) -> bool:
        return self.name == "sandbox"


@dataclass(frozen=True)
class ExecuteOutcome:
    tenant_id: str
    journal: Path
    report_json: Path | str | None  # an s3:// URI for --reports s3://...; None while the run is open (verification found something)
    already_done: bool
    verification_ok: bool
    remaining: tuple[str, ...]
    resources: int


def tenant_file(directory: Path, tenant_id: str) -> tuple[TenantConfig, Path]:
    """The tenant's config and file; ConfigError for its invalid file, OffboardingRefused when none."""
    from tenantkit.config import UnknownTenantError, find_tenant

    try:
        loaded = find_tenant(directory, tenant_id)
    except UnknownTenantError as error:
        raise OffboardingRefused(str(error)) from None
    return loaded.config, loaded.source


def start(directory: Path, tenant_id: str, ends_on: date) -> TenantConfig:
    """Record the subscription's last day in the tenant file (comments and layout kept)."""
    from tenantkit.config.lifecycle import set_subscription_end

    _, path = tenant_file(directory, tenant_id)
    return set_subscription_end(path, ends_on)


def environment(config: TenantConfig, *, local: bool, state_dir: Path) -> Environment:
    """The sandbox (running, else OffboardingRefused) or AWS with the default credentials."""
    import boto3

    user = getpass.getuser()
    if local:
        from tenantkit.lifecycle.fleet import SANDBOX_ACCOUNT, sandbox_sessions
        from tenantkit.lifecycle.local import LocalDeployError, running_sandbox

        try:
            status = running_sandbox(state_dir)
        except LocalDeployError as error:
            raise OffboardingRefused(str(error)) from None
        account = config.account or SANDBOX_ACCOUNT
        session_for = sandbox_sessions(status.endpoint, config.account)
        if _role_retired(config, state_dir, "sandbox"):
            return Environment("sandbox", account, session_for, f"{user} (sandbox), {RETIRED}")
        destroyer_for, arn = as_offboarding_role(session_for(config.primary_region), _offboarding_role_arn(config, account), status.endpoint)
        return Environment("sandbox", account, session_for, f"{user} (sandbox), destroying as {arn}", destroyer_for)

    from tenantkit.lifecycle.fleet import region_sessions

    session_for = region_sessions(boto3.Session())
    source = session_for(config.primary_region)
    identity = source.client("sts").get_caller_identity()
    if config.account is not None and identity["Account"] != config.account:
        raise OffboardingRefused(
            f"{config.tenant_id} lives in account {config.account}; these credentials act in {identity['Account']}"
        )
    if _role_retired(config, state_dir, f"aws:{identity['Account']}"):
        return Environment(f"aws:{identity['Account']}", identity["Account"], session_for, f"{identity['Arn']} ({user}), {RETIRED}")
    destroyer_for, arn = as_offboarding_role(source, _offboarding_role_arn(config, identity["Account"]), None)
    return Environment(
        f"aws:{identity['Account']}", identity["Account"], session_for, f"{identity['Arn']} ({user}), destroying as {arn}", destroyer_for
    )


RETIRED = "the offboarding role already deleted (journal)"


def _role_retired(config: TenantConfig, state_dir: Path, environment: str) -> bool:
    """The journal of the tenant's generation in `environment` records its offboarding role
    deleted: the run verified and only its report may be missing, so no role is assumed."""
    from tenantkit.lifecycle.offboarding.run import JournalError

    path = journal_path(state_dir, config.tenant_id, config.generation)
    try:
        return path.exists() and role_retired(Journal.open(path, tenant_id=config.tenant_id, environment=environment))
    except JournalError:  # another environment's journal: `execute` refuses it, in its words
        return False


def _offboarding_role_arn(config: TenantConfig, account: str) -> str:
    return names_for(config.tenant_id, account, config.primary_region, config.secondary_region, config.generation).offboarding_role_arn


def as_offboarding_role(source: Any, role_arn: str, endpoint: str | None) -> tuple[Callable[[str], Any], str]:
    """region -> a session acting as `role_arn`, assumed from `source` (an EndpointSession) with
    refreshing credentials, and the assumed session's ARN; OffboardingRefused when STS refuses
    (a tenant deployed before the role existed: deploy it again first)."""
    import boto3
    import botocore.session
    from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
    from botocore.exceptions import ClientError

    from tenantkit.lifecycle.fleet import region_sessions

    core = botocore.session.get_session()

    def sts_client(service: str, **kwargs: Any) -> Any:
        return core.create_client(service, region_name=source.region_name, endpoint_url=endpoint, **kwargs)

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=sts_client,
        source_credentials=source.credentials(),
        role_arn=role_arn,
        extra_args={"RoleSessionName": "tenantkit-offboarding"},
    )
    # botocore's own refreshing credentials (what a profile's role_arn gives), set on the session
    # directly: boto3 has no public setter for refreshable credentials.
    core._credentials = DeferredRefreshableCredentials(method="assume-role", refresh_using=fetcher.fetch_credentials)
    session_for = region_sessions(boto3.Session(botocore_session=core, region_name=source.region_name), endpoint)
    try:
        arn = session_for(source.region_name).client("sts").get_caller_identity()["Arn"]
    except ClientError as error:
        raise OffboardingRefused(
            f"cannot act as {role_arn} ({error.response['Error'].get('Message', error)}): deploy the tenant's "
            "stacks again (they create the role), or let these credentials assume it"
        ) from None
    return session_for, arn


def scope_for(
    config: TenantConfig, env: Environment, *, job_wait_minutes: int | None = None, assets: tuple[Any, ...] = (),
    extensions: tuple[Any, ...] = (),
) -> Scope:
    """The tenant, swept across every region of its residency zone and, for anything tagged with
    it, every enabled region of the account; its running backup jobs awaited `job_wait_minutes`
    (fleet.yaml offboarding.job_wait_minutes; None: its default); `assets`: the CDK asset objects
    only its stacks publish (`assets.tenant_assets`); `extensions`: the finders and destroyers
    fleet.yaml's extensions declare (`extensions.load_offboarding`)."""
    from tenantkit.config import policy_for

    names = names_for(config.tenant_id, env.account, config.primary_region, config.secondary_region, config.generation)
    zone = tuple(sorted(policy_for(config.residency).zone))
    scope = Scope(
        names, env.session_for, tuple(config.access.protect), zone=zone,
        account_regions=account_regions(env, config.primary_region), destroyer_for=env.destroyer_for,
        assets=assets, extensions=extensions,
    )  # fmt: skip
    return scope if job_wait_minutes is None else replace(scope, job_wait_seconds=job_wait_minutes * 60.0)


ENABLED = ("ENABLED", "ENABLED_BY_DEFAULT")
"""account:ListRegions statuses of the regions an account can use (opted in, or on by default)."""


def account_regions(env: Environment, region: str) -> tuple[str, ...]:
    """Every region the account can hold resources in (account:ListRegions, enabled or enabled by
    default; the sandbox answers with every region it serves)."""
    from tenantkit.aws import pages

    listed = pages(env.session_for(region).client("account"), "list_regions", "Regions", RegionOptStatusContains=list(ENABLED))
    return tuple(sorted(r["RegionName"] for r in listed))


def plan(
    config: TenantConfig, env: Environment, *, assemblies: Sequence[Path] = (), neighbours: Sequence[str] | None = (),
    extensions: tuple[Any, ...] = (),
) -> Plan:
    own, _, _ = tenant_assets(config, env, assemblies, neighbours)
    return discover(scope_for(config, env, assets=own, extensions=extensions))


def extensions_of(fleet: Any, root: Path) -> tuple[Any, ...]:
    """The finders and destroyers fleet.yaml's extensions declare, loaded from the project `root`;
    OffboardingRefused (one line naming the entry) for one that cannot be imported."""
    from tenantkit.config.fleet_models import ExtensionImportError
    from tenantkit.lifecycle.offboarding.extensions import load_offboarding

    try:
        return load_offboarding(fleet.extensions, root)
    except ExtensionImportError as error:
        raise OffboardingRefused(f"{error}: nothing destroyed") from None


def tenant_assets(
    config: TenantConfig, env: Environment, assemblies: Sequence[Path], neighbours: Sequence[str] | None
) -> tuple[tuple[Any, ...], tuple[Any, ...], str | None]:
    """(the CDK asset objects only the tenant's stacks publish, those another stack publishes too,
    why none was searched or None), as the cloud `assemblies` say (`assets.tenant_assets`)."""
    from tenantkit.lifecycle.offboarding import assets

    if not assemblies:
        return (), (), "no cloud assembly of the tenant was given"
    try:
        own, shared = assets.tenant_assets(assemblies, stack_names(config.tenant_id), account=env.account, neighbours=neighbours)
    except assets.AssetsUnknown as unknown:
        return (), (), str(unknown)
    return own, shared, None


def neighbours_of(directory: Path, tenant_id: str) -> tuple[str, ...] | None:
    """Every other tenant of the fleet's directory; None when a tenant file cannot be read."""
    from tenantkit.config.loader import validate_paths

    report = validate_paths([directory])
    return tuple(c.tenant_id for c in report.configs if c.tenant_id != tenant_id) if report.ok else None


def journal_path(state_dir: Path, tenant_id: str, generation: int = 1) -> Path:
    """One journal per tenant and generation: `<id>.json` for the first (as before generations
    existed), `<id>.generation-<n>.json` after a reinstatement (tenant ids hold no dot)."""
    name = f"{tenant_id}.json" if generation == 1 else f"{tenant_id}.generation-{generation}.json"
    return state_dir / JOURNAL_DIR / name


def state_store(env: Environment, state_dir: Path) -> Any:
    """The tenant states of `env` (tenantkit.lifecycle.state.StateStore)."""
    from tenantkit.lifecycle.state.service import store_in

    return store_in(env.name, env.session_for, state_dir)


def check_may_destroy(
    config: TenantConfig, *, confirm: str | None, signing_key: Path | str, force: bool, reason: str | None, today: date,
    kms_client_for: Any = None,
) -> None:
    """Refuse, in one line, unless the run is confirmed, its report can be signed, and it is due
    (or forced with a reason). The key (a PEM file, or `kms:<ARN>` through `kms_client_for`) is
    checked before the date, so a wrong key shows on any day, not first on the day of
    destruction. ReportError for a key that does not load."""
    from tenantkit.lifecycle.report import load_signer

    tenant_id = config.tenant_id
    if confirm != tenant_id:
        given = f"'{confirm}'" if confirm else "nothing"
        raise OffboardingRefused(f"--confirm must repeat the tenant id ({tenant_id}); got {given}: nothing destroyed")
    load_signer(signing_key, kms_client_for)
    if force and not (reason and reason.strip()):
        raise OffboardingRefused("--force needs --reason \"...\" (it goes into the signed report): nothing destroyed")
    subscription = config.subscription
    if subscription.ends_on is None:
        raise OffboardingRefused(f"{tenant_id} has no subscription end: `tenantkit offboard start {tenant_id} --ends-on DATE` first")
    if subscription.status(today) is not TenantStatus.READY_FOR_DESTRUCTION and not force:
        raise OffboardingRefused(
            f"{tenant_id}: its data stays retrievable until {subscription.retrieval_deadline} "
            f"(ends_on {subscription.ends_on} + {subscription.retrieval_days} days); destruction may start the day after. "
            "--force --reason \"...\" overrides: nothing destroyed"
        )


def execute(
    config: TenantConfig,
    env: Environment,
    *,
    state_dir: Path,
    reports_root: Path | Any,
    signing_key_path: Path | str,
    force: bool,
    reason: str | None,
    on_step: StepCallback | None = None,
    kms_client_for: Any = None,
    archive: ArchiveBucket | None = None,
    today: date | None = None,
    job_wait_minutes: int | None = None,
    assemblies: Sequence[Path] = (),
    neighbours: Sequence[str] | None = (),
    extensions: tuple[Any, ...] = (),
) -> ExecuteOutcome:
    """Destroy everything of the tenant's (checks of `check_may_destroy` done by the caller),
    verify, and write the signed report: under a directory, or (`reports_root` an S3Location) to
    a bucket with S3 Object Lock. When the tenant keeps its audit records, they are archived
    (`archive`, from `archive_for`) before anything is destroyed. The tenant's running backup jobs
    are stopped or awaited (`job_wait_minutes`, fleet.yaml) before any data is deleted
    (`jobs.JobsStillRunning` when they outlast it). The CDK asset objects only the tenant's stacks
    publish, as the cloud `assemblies` (the tenant's and its `neighbours`', every other tenant of the
    fleet) say, are destroyed; those another stack publishes too are kept and reported as shared.
    What fleet.yaml's extensions' finders find (`extensions`, loaded) is destroyed by their
    destroyers. Resumable: see `run`."""
    from tenantkit.lifecycle.report import S3Location, load_signer, upload_report, write_report

    signing_key = load_signer(signing_key_path, kms_client_for)  # before anything is destroyed
    keep_days = config.offboarding.keep_audit_records_days
    if keep_days is not None and archive is None:
        raise OffboardingRefused(f"{config.tenant_id} keeps its audit records {keep_days} days: name its zone's archive bucket (fleet.yaml offboarding.archive_buckets): nothing destroyed")
    from tenantkit.lifecycle.state import State

    own_assets, shared_assets, assets_unsearched = tenant_assets(config, env, assemblies, neighbours)
    scope = scope_for(config, env, job_wait_minutes=job_wait_minutes, assets=own_assets, extensions=extensions)
    states = state_store(env, state_dir)
    journal = Journal.open(journal_path(state_dir, config.tenant_id, config.generation), tenant_id=config.tenant_id, environment=env.name)
    if journal.completed:
        found = discover(scope)
        leftovers = [t for t in found.targets if not (t.kind == "kms key" and t.extra.get("state") == "PendingDeletion")]
        if leftovers:
            raise OffboardingRefused(
                f"{config.tenant_id} was offboarded on {journal.data['completed_at']} but {len(leftovers)} of its resources exist again "
                f"(first: {leftovers[0].kind} {leftovers[0].name}); move {journal.path} aside to offboard it anew"
            )
        if states.read(scope.names).state is State.OFFBOARDING:  # signed, then interrupted before the state was recorded
            states.move(scope.names, State.OFFBOARDED, by=env.operator, report=journal.data.get("report"))
        return _outcome(config, journal, already_done=True)
    states.move(scope.names, State.OFFBOARDING, by=env.operator, reason=reason if force else None)  # before anything is destroyed
    found = discover(scope)
    if not journal.started:
        journal.data.update(
            started_at=now(), operator=env.operator, forced=force, force_reason=reason if force else None,
            retrieval_deadline=_iso(config.subscription.retrieval_deadline),
        )
    journal.data["shared_assets"] = sorted({*journal.data.get("shared_assets", []), *(str(asset) for asset in shared_assets)})
    journal.data["assets_unsearched"] = assets_unsearched  # this run's: what the report says
    journal.data["searched"] = {
        what: sorted({*journal.data.get("searched", {}).get(what, []), *items}) for what, items in found.searched.items()
    }  # fmt: skip
    if keep_days is not None and archive is not None and "audit_archive" not in journal.data:
        journal.data["audit_archive"] = export_audit_records(
            scope, found.targets, archive, prefix=f"offboarded/{config.tenant_id}/{journal.data['started_at']}/",
            keep_days=keep_days, today=today or date.today(),
        )
        journal.save()  # on disk before the first deletion: a rerun never exports again
    destroy(scope, journal, found, on_step=on_step)
    verification = verify(scope, journal)
    journal.data["verification"] = {"ok": verification.ok, "checked_at": verification.checked_at, "remaining": list(verification.remaining)}
    if not verification.ok:
        for target_id in verification.found_again:
            journal.reopen(target_id)
        journal.data.pop("completed_at", None)
        journal.data.pop("report", None)
        journal.save()
        return _outcome(config, journal, already_done=False)
    # The last destruction: nothing is left for the role to destroy (journaled before completion,
    # so a run interrupted here reruns without it: `environment` reads the journal).
    retire_offboarding_role(scope.client("iam", config.primary_region), scope.names, journal)
    journal.data["completed_at"] = verification.checked_at
    report = build_report(config, env, journal, search_scope(scope, env.account, journal.data.get("searched")))
    if isinstance(reports_root, S3Location):
        journal.data["report"] = upload_report(report, scope.client("s3", config.primary_region), reports_root, signing_key)
    else:
        journal.data["report"] = str(write_report(report, reports_root, signing_key).json)
    journal.save()
    states.move(scope.names, State.OFFBOARDED, by=env.operator, report=journal.data["report"])
    return _outcome(config, journal, already_done=False)


def search_scope(scope: Scope, account: str, searched: dict[str, list[str]] | None = None) -> Any:
    """What discovery and verification searched (the report's `scope`): every region of the
    residency zone, the vaults discovery looked in (`searched`, as journaled), every enabled region
    of the account asked for the tenant's tag; never another account."""
    from tenantkit.lifecycle.offboarding.resources import KINDS, _vaults
    from tenantkit.lifecycle.report import SearchScope

    searched = searched or {}
    regions = tuple(scope.zone_regions)
    tag_regions = tuple(scope.tag_regions)
    vaults = sorted({*(f"{vault} ({region})" for region, vault in _vaults(scope)), *searched.get("vaults", [])})
    outside = "every region the account has enabled" if scope.account_regions else ", ".join(tag_regions)
    return SearchScope(
        account=account,
        regions=regions,
        vaults=tuple(vaults),
        kinds=tuple(kind.name for kind in KINDS),
        tag_search_regions=tag_regions,
        out_of_reach=(
            f"AWS accounts other than {account}: not searched (tenantkit acts in the tenant's account only)",
            f"regions outside {outside}: not searched, not even for the tenant's tag",
        ),
    )


def archive_for(config: TenantConfig, fleet: Any, env: Environment) -> ArchiveBucket | None:
    """The archive bucket of the tenant's zone when its file keeps audit records (fleet.yaml
    `offboarding.archive_buckets`), else None; OffboardingRefused when none is named or it
    lies outside the zone."""
    if config.offboarding.keep_audit_records_days is None:
        return None
    name = fleet.offboarding.archive_buckets.get(config.residency)
    if name is None:
        raise OffboardingRefused(
            f"{config.tenant_id}: offboarding.keep_audit_records_days is set, but fleet.yaml names no "
            f"offboarding.archive_buckets.{config.residency.value}: nothing destroyed"
        )
    s3 = env.session_for(config.primary_region).client("s3")
    try:
        region = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
    except Exception as error:  # noqa: BLE001 - any failure: the archive cannot be used
        raise OffboardingRefused(f"archive bucket {name}: cannot be read ({error}): nothing destroyed") from None
    if region not in config.policy.zone:
        raise OffboardingRefused(f"archive bucket {name} is in {region}, outside the {config.residency.value} zone: nothing destroyed")
    return ArchiveBucket(name, region)


def export_audit_records(scope: Scope, targets: Any, archive: ArchiveBucket, **kwargs: Any) -> dict[str, Any]:
    from tenantkit.lifecycle.offboarding.archive import ArchiveRefused, audit_sources, export

    try:
        return export(scope, audit_sources(scope, targets), archive, **kwargs)
    except ArchiveRefused as error:
        raise OffboardingRefused(str(error)) from None


def build_report(config: TenantConfig, env: Environment, journal: Journal, searched: Any = None) -> Any:
    """The destruction report, from the journal: every resource in the order destroyed, what was
    searched (`searched`: the report's scope) and what became of the audit records."""
    import dataclasses

    from tenantkit.lifecycle.offboarding.archive import SHARED_TRAIL
    from tenantkit.lifecycle.offboarding.jobs import KIND as JOB_KIND
    from tenantkit.lifecycle.offboarding.jobs import job_lines
    from tenantkit.lifecycle.report import (
        AuditArchive,
        AuditRecords,
        DestroyedResource,
        DestructionReport,
        KeyDeletion,
        Verification,
    )

    searched = searched or search_scope(scope_for(config, env), env.account)

    resources, keys = [], []
    named = {target.arn for target in journal.targets() if target.kind != "tagged resource"}
    for target in journal.targets():
        if target.kind == "tagged resource" and target.arn in named:
            continue  # the same resource, found again by its tag after an interrupted run (a key whose alias went)
        if target.kind == JOB_KIND:
            continue  # not a copy of the data: the report's scope lists each job and what became of it
        done = journal.data["done"][target.id]
        if target.kind == "kms key":
            keys.append(KeyDeletion(target.name, target.arn, target.region, _utc(done.get("deletion_date", "")), KEY_PENDING_WINDOW_DAYS))
        resources.append(DestroyedResource(_report_kind(target), target.name, target.arn, target.region, done["destroyed_at"], journal.counts(target)))
    if ROLE_RECORD in journal.data:  # the last destruction: the role that did the rest (IAM is global: asked in the primary region)
        role = journal.data[ROLE_RECORD]
        kind = ROLE_KIND if role["existed"] else f"{ROLE_KIND} (already deleted when the run ended)"
        resources.append(DestroyedResource(kind, role["name"], role["arn"], config.primary_region, role["deleted_at"]))
    checked = journal.data["verification"]
    why = journal.data.get("assets_unsearched", "no cloud assembly of the tenant was given")
    unsearched = (f"CDK assets in the bootstrap buckets: not searched ({why})",) if why else ()
    searched = dataclasses.replace(
        searched, jobs=job_lines(journal.targets(), journal.data["done"]), shared_assets=tuple(journal.data.get("shared_assets", ())),
        out_of_reach=(*searched.out_of_reach, *unsearched),
    )  # fmt: skip
    return DestructionReport(
        tenant_id=config.tenant_id,
        display_name=config.display_name,
        residency=config.residency.value if hasattr(config.residency, "value") else str(config.residency),
        account=env.account,
        primary_region=config.primary_region,
        secondary_region=config.secondary_region,
        operator=journal.data["operator"],
        started_at=journal.data["started_at"],
        completed_at=journal.data["completed_at"],
        retrieval_deadline=journal.data.get("retrieval_deadline"),
        forced=bool(journal.data.get("forced")),
        force_reason=journal.data.get("force_reason"),
        resources=tuple(resources),
        keys=tuple(keys),
        left_to_application=tuple(config.access.protect),
        verification=Verification(checked["ok"], checked["checked_at"], tuple(checked["remaining"])),
        tool_version=__version__,
        sandbox=env.sandbox,
        scope=searched,
        audit_records=AuditRecords(
            kept=config.offboarding.keep_audit_records_days is not None,
            keep_days=config.offboarding.keep_audit_records_days,
            archives=tuple(
                AuditArchive(**{**archived, "sources": tuple(archived["sources"])})
                for archived in ([journal.data["audit_archive"]] if "audit_archive" in journal.data else [])
            ),
            shared_trail=SHARED_TRAIL,
        ),
    )


def plan_undoers(config: TenantConfig, env: Environment, found: Plan, *, operator_topics: Sequence[str] = ()) -> list[str]:
    """For each tenant key the plan schedules for deletion: who could undo it during the window
    (the statements of the key's policy that allow kms:CancelKeyDeletion or kms:EnableKey); then,
    for each region of those keys, whether anyone hears of it: the baseline's rule alerts the
    operator channel (`operator_topics`, fleet.yaml's of the tenant's zone) of that region, and
    without a topic there no alert is configured (the tenant's own key-change rule goes with its stacks)."""
    from tenantkit.config.fleet_models import operator_topic_in
    from tenantkit.lifecycle.offboarding.keys import key_undoers
    from tenantkit.naming import KEY_UNDO_RULE

    scope = scope_for(config, env)
    keys = [target for target in found.targets if target.kind == "kms key"]
    lines = [
        f"{target.name} ({target.region}): {line}"
        for target in keys
        for line in key_undoers(scope.client("kms", target.region), target.arn)
    ]  # fmt: skip
    for region in sorted({target.region for target in keys}):
        topic = operator_topic_in(list(operator_topics), region)
        if topic is None:
            lines.append(
                f"{region}: no alert is configured on CancelKeyDeletion or EnableKey during the window "
                f"(fleet.yaml's operator_channel has no {config.residency.value} topic in {region}; "
                "the tenant's own key-change rule is deleted with its stacks)"
            )
        else:
            lines.append(
                f"{region}: CancelKeyDeletion or EnableKey of any key there alerts the operator channel "
                f"({topic}) through the baseline's rule {KEY_UNDO_RULE}"
            )
    return lines


@dataclass(frozen=True)
class KeysOutcome:
    tenant_id: str
    report: str
    keys: tuple[Any, ...]  # keys.KeyState, one per key the report scheduled
    addendum: str | None  # written once every key is gone

    @property
    def confirmed(self) -> bool:
        return self.addendum is not None


def confirm_keys(
    config: TenantConfig, env: Environment, *, state_dir: Path, signing_key: Path | str, kms_client_for: Any = None,
    now: datetime | None = None,
) -> KeysOutcome:
    """After the deletion date of the keys the signed report scheduled: check each is gone
    (DescribeKey answers NotFoundException) and write the signed addendum next to the report.
    Before that, or while KMS has not deleted one yet, say so and write nothing."""
    import hashlib

    from tenantkit.lifecycle.offboarding.keys import key_state
    from tenantkit.lifecycle.report import KeyDeletionConfirmation, KeyGone, load_signer, write_addendum

    signer = load_signer(signing_key, kms_client_for)
    journal = Journal.open(journal_path(state_dir, config.tenant_id, config.generation), tenant_id=config.tenant_id, environment=env.name)
    if not journal.completed or not journal.data.get("report"):
        raise OffboardingRefused(f"{config.tenant_id}: no completed offboarding with a signed report in {journal.path}: nothing to confirm")
    where = journal.data["report"]
    s3 = env.session_for(config.primary_region).client("s3")
    body = _report_bytes(where, s3)
    report = json.loads(body)
    moment = now or datetime.now(UTC)
    scope = scope_for(config, env)
    states = tuple(
        key_state(scope.client("kms", k["region"]), k["key_arn"], k["region"], k["deletion_date"], moment) for k in report["keys"]
    )
    if not states or not all(state.gone for state in states):
        return KeysOutcome(config.tenant_id, where, states, None)
    confirmation = KeyDeletionConfirmation(
        tenant_id=config.tenant_id, account=report["account"], report=where.rsplit("/", 1)[-1],
        report_sha256=hashlib.sha256(body).hexdigest(), confirmed_at=moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        operator=env.operator, keys=tuple(KeyGone(s.key_arn, s.region, s.deletion_date, s.answer) for s in states),
        tool_version=__version__, sandbox=env.sandbox,
    )
    addendum = write_addendum(where, confirmation, signer, s3)
    from tenantkit.lifecycle.state import State

    state_store(env, state_dir).move(scope.names, State.DESTROYED, by=env.operator, report=where)
    return KeysOutcome(config.tenant_id, where, states, addendum)


def _report_bytes(where: str, s3: Any) -> bytes:
    from tenantkit.lifecycle.report import ReportError, reports_location

    if not where.startswith("s3://"):
        try:
            return Path(where).read_bytes()
        except OSError as error:
            raise ReportError(f"{where}: cannot read the report: {error.strerror or error}") from None
    location = reports_location(where)
    assert not isinstance(location, Path)  # an s3:// location, checked above
    return s3.get_object(Bucket=location.bucket, Key=location.prefix.rstrip("/"))["Body"].read()


def _report_kind(target: Target) -> str:
    if target.kind == "tagged resource" and target.arn.split(":")[2] == "kms":
        return "tagged resource (kms key, deletion scheduled)"
    if target.extra.get("incident") == "residency":
        return f"{target.kind} (RESIDENCY INCIDENT: outside the residency zone)"
    return "kms key (deletion scheduled)" if target.kind == "kms key" else target.kind


def _outcome(config: TenantConfig, journal: Journal, *, already_done: bool) -> ExecuteOutcome:
    verification = journal.data.get("verification", {})
    report = journal.data.get("report")
    return ExecuteOutcome(
        config.tenant_id, journal.path, (report if report.startswith("s3://") else Path(report)) if report else None, already_done,
        bool(verification.get("ok")), tuple(verification.get("remaining", ())), len(journal.data["done"]),
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _utc(value: str) -> str:
    """An ISO time as `YYYY-MM-DDTHH:MM:SSZ` (KMS gives an offset and microseconds)."""
    try:
        return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return value


__all__ = ["OffboardingBlocked", "OffboardingRefused"]
