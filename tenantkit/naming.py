"""Every physical name and ARN of a tenant's resources, derived from tenant id, account and regions.

This is the one place names are made. The stacks use it to wire the primary region to the DR
region without CDK's cross-region references (the DR key, bucket and vault are found by name),
and the lifecycle code uses it with boto3 to find what to inventory or destroy.

No `aws_cdk` import here. `account` is a string: a 12-digit id, or (inside a CDK app whose tenant
has no account yet) the `Aws.ACCOUNT_ID` token, which CDK resolves when the name is used in a
template.

Name limits kept by construction (tenant ids are at most 30 characters):
- S3 bucket names: `<id>-<purpose>-<account>-<region>`, at most 30+1+4+1+12+1+12 = 61 of 63.
- RDS identifiers: `tenantkit-<id>[-replica]`, at most 48 of 63.
- WAF / Backup / SNS names stay far below their limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTITION = "aws"
TAG_TENANT = "tenantkit:tenant"
TAG_RESIDENCY = "tenantkit:residency"
TAG_RESTORE = "tenantkit:restore"
"""On every resource a restore or a drill makes: the restore's name (with the tenant tag)."""
RESTORE_NAME = re.compile(r"[a-z][a-z0-9]{0,21}")
"""A restore's name: a letter, then letters and digits, at most 22 (no hyphen: see `restore_db_instance`)."""
RESTORES_FOLDER = "restores/"
"""Restored files go under `restores/<name>/` of the tenant's own bucket in the restore's region."""
EXPORTS_FOLDER = "exports/"
"""Exports for the retrieval window go under `exports/<name>/` of the tenant's data bucket."""
REPLICATION_RULE_ID = "everything-to-dr"
CDK_QUALIFIER = "hnb659fds"
"""The CDK bootstrap qualifier (the default): names the deployment role of each environment."""

NAME_WORDS: tuple[str, ...] = (
    "dr", "primary", "replica", "data", "logs", "backups", "incidents", "ipv4", "ipv6", "hourly", "restores",
    "break", "glass", "offboarding", "export", "rotation", "ext",
)
"""Every word tenantkit appends to a tenant id in the names it derives. A tenant id with one of
them as any of its hyphen-separated words would make one tenant's names prefixes of, or equal to,
another's: `acme-replica` would own `tenantkit-acme-replica`, tenant acme's replica database, and
`acme-primary-x`'s stacks (`tenant-acme-primary-x-dr`) would start with `tenant-acme-primary-`.
The config model refuses such ids, so a name derived for one tenant never begins with another
tenant's name followed by a hyphen (or, in names that allow no hyphen, an underscore:
`tk_<id>_restores`); tests/stacks/test_naming.py checks this list is complete."""
REGION_NAME = re.compile(
    r"(?:us|ca|eu|ap|sa|me|af|il|mx|cn)-(?:gov-)?"
    r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d"
)


ROLE_PATH_ROOT = "/tenantkit/"
"""Every IAM role of a tenant lives under `/tenantkit/<id>/`: policies name the tenant's principals
by that path (`aws:PrincipalArn`), which only `iam:CreateRole` with that path sets: unlike a tag,
it cannot be changed on an existing role, nor passed as a session tag."""


def every_tenant_role_arn_pattern(account: str) -> str:
    """Every role of every tenant in `account` (`aws:PrincipalArn` with ArnLike): `role/tenantkit/*`."""
    return f"arn:{PARTITION}:iam::{account}:role{ROLE_PATH_ROOT}*"


BASELINE_STACK = "tenantkit-baseline"
"""The one stack per account and region that tenantkit deploys before that environment's tenants
(the audit trail). Never starts with `tenant-`: no tenant's stack name can match it."""
BASELINE_ROLE_PATH = f"{ROLE_PATH_ROOT}_baseline/"
"""The IAM path of the baseline stack's roles: under `ROLE_PATH_ROOT`, so an operator topic's
policy admitting `role/tenantkit/*` admits them, yet no tenant's (a tenant id starts with a letter)."""
KEY_UNDO_RULE = "tenantkit-baseline-key-undo"
"""The baseline's EventBridge rule on `CancelKeyDeletion`/`EnableKey` of any KMS key of its region
(the operator channel's alert during an offboarded tenant's key-deletion window). No dot: a tenant's
rules are named `tenantkit-<id>.<purpose>`, so no tenant's rule name can equal it."""
LOCK_TABLE = "tenantkit-locks"
"""The DynamoDB table of operation locks in the tooling account and region (fleet.yaml `tooling:`),
one item per tenant; tenantkit creates it on first use."""
AUDIT_TRAIL = "tenantkit-audit"
"""The baseline stack's CloudTrail trail in each account and region."""


def audit_bucket(account: str, region: str) -> str:
    """The baseline stack's bucket of trail logs in (account, region). No tenant's bucket can have
    this name: a tenant's is `<id>-<purpose>-<account>-<region>` with a purpose among NAME_WORDS."""
    return f"tenantkit-audit-{account}-{region}"


def cdk_assets_bucket(account: str, region: str) -> str:
    """The CDK bootstrap bucket of an environment (`cdk bootstrap`'s default qualifier): the
    stacks' file assets and templates, published before each deployment."""
    return f"cdk-{CDK_QUALIFIER}-assets-{account}-{region}"


def stack_names(tenant_id: str) -> tuple[str, str, str]:
    """The tenant's stacks in deployment order: dr, primary, replica."""
    return (f"tenant-{tenant_id}-dr", f"tenant-{tenant_id}-primary", f"tenant-{tenant_id}-replica")


def pipeline_stack_name(residency: str, part: int) -> str:
    """The stack of a residency's rollout pipeline (`part` from 1; a residency too large for one
    pipeline has several). Never starts with `tenant-`: no tenant's stack name can match it."""
    return f"tenantkit-pipeline-{residency}" if part == 1 else f"tenantkit-pipeline-{residency}-{part}"


def bootstrap_lookup_role_arn(account: str, region: str) -> str:
    """The CDK bootstrap's read-only lookup role of an environment (ReadOnlyAccess, kms:Decrypt
    denied), which `cdk bootstrap --trust <tooling account>` lets the tooling account assume."""
    return f"arn:{PARTITION}:iam::{account}:role/cdk-{CDK_QUALIFIER}-lookup-role-{account}-{region}"


def key_alias_of(tenant_id: str, generation: int = 1) -> str:
    """The same alias names the tenant key in the primary region and the DR key in the other.

    A reinstated tenant (generation 2 on) gets `alias/tenantkit/<id>/generation-<n>`: the keys of
    the generation before stay pending deletion (and could be restored by `CancelKeyDeletion`
    until then), and the signed report and every key-policy or `kms:ResourceAliases` condition of
    the old generation name the old alias, so the new key must never answer to it. Generation 1
    keeps today's alias, so no deployed tenant changes. Tenant ids hold no `/`: the suffix cannot
    make one tenant's alias another's."""
    if generation < 1:
        raise ValueError(f"generation {generation}: generations start at 1")
    return f"alias/tenantkit/{tenant_id}" if generation == 1 else f"alias/tenantkit/{tenant_id}/generation-{generation}"


def incident_key_alias_of(key_alias: str) -> str:
    """The incident topics' own key beside the tenant key `key_alias` (same generation)."""
    return f"{key_alias}/incidents"


def tenant_of_stack(stack_name: str) -> str | None:
    """The tenant id in a tenantkit stack name, or None for a stack that is not one of ours."""
    for suffix in ("-dr", "-primary", "-replica"):
        if stack_name.startswith("tenant-") and stack_name.endswith(suffix):
            return stack_name[len("tenant-") : -len(suffix)] or None
    return None


def restore_of_db_instance(identifier: str) -> tuple[str, str] | None:
    """(tenant id, restore name) of a restored DB instance's identifier, or None for any other."""
    if not identifier.startswith("tkrestore-"):
        return None
    tenant_id, _, name = identifier.removeprefix("tkrestore-").rpartition("-")
    return (tenant_id, name) if tenant_id and RESTORE_NAME.fullmatch(name) else None


@dataclass(frozen=True, kw_only=True)
class TenantNames:
    """The physical names of one tenant's resources in one account and its two regions."""

    tenant_id: str
    account: str
    primary_region: str
    secondary_region: str
    generation: int = 1
    """1 for a tenant never reinstated; `tenantkit reinstate` starts the next. Only the names that
    could meet what an offboarded generation leaves behind carry it (the key alias: its keys wait
    out their deletion window; the offboarding role: retained by its stack); every other name is
    freed by offboarding's verified destruction and stays the same."""

    # --- stacks -------------------------------------------------------------------------------
    @property
    def dr_stack(self) -> str:
        return stack_names(self.tenant_id)[0]

    @property
    def primary_stack(self) -> str:
        return stack_names(self.tenant_id)[1]

    @property
    def replica_stack(self) -> str:
        return stack_names(self.tenant_id)[2]

    @property
    def stacks(self) -> tuple[str, str, str]:
        return stack_names(self.tenant_id)

    # --- keys ---------------------------------------------------------------------------------
    @property
    def key_alias(self) -> str:
        return key_alias_of(self.tenant_id, self.generation)

    def key_alias_arn(self, region: str) -> str:
        return self._arn("kms", region, self.key_alias)

    @property
    def dr_key_alias_arn(self) -> str:
        return self.key_alias_arn(self.secondary_region)

    def key_arn_pattern(self, region: str) -> str:
        """Any key of this account in `region` (narrowed by the alias condition where used)."""
        return self._arn("kms", region, "key/*")

    # --- roles ----------------------------------------------------------------------------------
    @property
    def role_path(self) -> str:
        """The IAM path of every role made for this tenant: the id is a whole path segment."""
        return f"{ROLE_PATH_ROOT}{self.tenant_id}/"

    @property
    def tenant_role_arn_pattern(self) -> str:
        """Every role of this tenant (`aws:PrincipalArn` with ArnLike): `role/tenantkit/<id>/*`.
        IAM paths are global, so one pattern covers both regions."""
        return f"arn:{PARTITION}:iam::{self.account}:role{self.role_path}*"

    @property
    def break_glass_role(self) -> str:
        """The role an operator assumes, time-boxed and recorded, to reach this tenant's data."""
        return f"tenantkit-{self.tenant_id}-break-glass"

    @property
    def offboarding_role(self) -> str:
        """The one principal the resource policies' denies let destroy this tenant's data. Its
        stack retains it (a rerun of an offboarding that already deleted the stacks assumes it)
        and a verified offboarding deletes it last; a reinstated tenant's generation has its own,
        `tenantkit-<id>-offboarding-g<n>` (at most 10+30+12+5 = 57 of IAM's 64), so its stacks
        never meet one an earlier generation's offboarding left (forced, or before it was deleted)."""
        role = f"tenantkit-{self.tenant_id}-offboarding"
        return role if self.generation == 1 else f"{role}-g{self.generation}"

    def _role_arn(self, role_name: str) -> str:
        return f"arn:{PARTITION}:iam::{self.account}:role{self.role_path}{role_name}"

    @property
    def break_glass_role_arn(self) -> str:
        return self._role_arn(self.break_glass_role)

    @property
    def offboarding_role_arn(self) -> str:
        return self._role_arn(self.offboarding_role)

    def deployment_role(self, region: str) -> str:
        """The CDK bootstrap's CloudFormation execution role name of (account, region)."""
        return f"cdk-{CDK_QUALIFIER}-cfn-exec-role-{self.account}-{region}"

    def assumed_role_arn_prefix(self, role_name: str) -> str:
        """What every session of the role `role_name` has as `userIdentity.arn` in CloudTrail:
        `arn:aws:sts::<account>:assumed-role/<name>/` (no path; role names are unique in an
        account, and the trailing slash keeps `x` from matching `x-y`)."""
        return f"arn:{PARTITION}:sts::{self.account}:assumed-role/{role_name}/"

    def deployment_role_arn(self, region: str) -> str:
        """The CDK bootstrap's CloudFormation execution role of (account, region): the one
        principal that deploys, and so the one that may change the tenant keys' policies."""
        return f"arn:{PARTITION}:iam::{self.account}:role/{self.deployment_role(region)}"

    # --- secrets ------------------------------------------------------------------------------
    @property
    def db_master_secret(self) -> str:
        # Secrets Manager appends `-` and six characters to the ARN: a name must not end that way.
        return f"tenantkit/{self.tenant_id}/db-master-user"

    @property
    def rotation_function(self) -> str:
        """The Lambda function that rotates the master password (in the primary region)."""
        return f"tenantkit-{self.tenant_id}-rotation"

    @property
    def rotation_role(self) -> str:
        """The rotation function's role (under the tenant's path): the one principal whose reads
        of the master secret raise no incident."""
        return f"tenantkit-{self.tenant_id}-rotation"

    @property
    def rotation_log_group(self) -> str:
        """The rotation function's log group: under the tenant's own path, so the tenant key's
        policy lets CloudWatch Logs encrypt it (`log_group_arn_patterns`)."""
        return f"/tenantkit/{self.tenant_id}/rotation"

    def db_master_secret_arn_wildcard(self, region: str) -> str:
        """The master secret (or its replica) in `region` as an EventBridge `wildcard` (`*` only):
        the name ends in `/db-master-user`, inside the tenant's own `tenantkit/<id>/` namespace,
        so only Secrets Manager's six-character suffix can follow it."""
        return self._arn("secretsmanager", region, f"secret:{self.db_master_secret}-*")

    def db_master_secret_arn_pattern(self, region: str) -> str:
        """The master secret (or its replica) in `region`: Secrets Manager appends six characters."""
        return self._arn("secretsmanager", region, f"secret:{self.db_master_secret}-??????")

    # --- buckets ------------------------------------------------------------------------------
    def _bucket(self, purpose: str, region: str) -> str:
        return f"{self.tenant_id}-{purpose}-{self.account}-{region}"

    @property
    def data_bucket(self) -> str:
        return self._bucket("data", self.primary_region)

    @property
    def access_log_bucket(self) -> str:
        return self._bucket("logs", self.primary_region)

    @property
    def dr_bucket(self) -> str:
        return self._bucket("dr", self.secondary_region)

    @property
    def dr_access_log_bucket(self) -> str:
        return self._bucket("logs", self.secondary_region)

    @property
    def dr_bucket_arn(self) -> str:
        return self.bucket_arn(self.dr_bucket)

    @property
    def data_bucket_arn(self) -> str:
        return self.bucket_arn(self.data_bucket)

    @staticmethod
    def bucket_arn(bucket: str) -> str:
        return f"arn:{PARTITION}:s3:::{bucket}"

    # --- database -----------------------------------------------------------------------------
    @property
    def db_instance(self) -> str:
        return f"tenantkit-{self.tenant_id}"

    @property
    def replica_db_instance(self) -> str:
        return f"tenantkit-{self.tenant_id}-replica"

    @property
    def db_instance_arn(self) -> str:
        return self._arn("rds", self.primary_region, f"db:{self.db_instance}")

    @property
    def replica_db_instance_arn(self) -> str:
        return self._arn("rds", self.secondary_region, f"db:{self.replica_db_instance}")

    def restore_db_instance(self, name: str) -> str:
        """The DB instance a restore (or a drill) named `name` makes, in either region:
        `tkrestore-<id>-<name>`, at most 10+30+1+22 = 63 of 63. Unambiguous by construction: no
        live resource of any tenant starts with `tkrestore-` (they all start `tenantkit-`), and
        a name holds no hyphen, so the last hyphen separates the tenant id from the name
        (`restore_of_db_instance`): tenant `acme`'s restore `x` can never be tenant `acme-x`'s."""
        if not RESTORE_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a restore name (a letter, then letters and digits, at most 22)")
        return f"tkrestore-{self.tenant_id}-{name}"

    def restore_db_instance_arn(self, name: str, region: str) -> str:
        return self._arn("rds", region, f"db:{self.restore_db_instance(name)}")

    def restore_prefix(self, name: str) -> str:
        """Where a restore's files go in the tenant's bucket of its region: `restores/<name>/`
        (the trailing slash keeps `restores/x/` from matching `restores/x2/`)."""
        self.restore_db_instance(name)  # the same rule for the name
        return f"{RESTORES_FOLDER}{name}/"

    # --- exports (the retrieval window) -----------------------------------------------------------
    def export_prefix(self, name: str) -> str:
        """Where the export `name` goes in the data bucket (primary region, tenant key):
        `exports/<name>/` (its database export under `database/`, its `manifest.json`). Inside the
        tenant's own bucket, so offboarding destroys exports with the bucket."""
        self.restore_db_instance(name)  # the same rule for the name
        return f"{EXPORTS_FOLDER}{name}/"

    def export_task(self, name: str) -> str:
        """The snapshot and the RDS export task of the export `name`: `tkx-<id>-<name>`, at most
        4+30+1+22 = 57 of 60 (ExportTaskIdentifier's limit); no live identifier starts `tkx-`."""
        self.restore_db_instance(name)
        return f"tkx-{self.tenant_id}-{name}"

    @property
    def export_role(self) -> str:
        """The role RDS assumes to write a snapshot export into the data bucket under the tenant key."""
        return f"tenantkit-{self.tenant_id}-export"

    @property
    def export_role_arn(self) -> str:
        return self._role_arn(self.export_role)

    def bucket_in(self, region: str) -> str:
        """The tenant's file store in `region`: the data bucket (primary) or its replica (DR)."""
        if region not in (self.primary_region, self.secondary_region):
            raise ValueError(f"{region} is not one of {self.tenant_id}'s regions")
        return self.data_bucket if region == self.primary_region else self.dr_bucket

    def vault_in(self, region: str) -> str:
        """The tenant's backup vault in `region`: primary, or the DR vault its copies go to."""
        if region not in (self.primary_region, self.secondary_region):
            raise ValueError(f"{region} is not one of {self.tenant_id}'s regions")
        return self.backup_vault if region == self.primary_region else self.dr_backup_vault

    def live_db_instance_in(self, region: str) -> str:
        """The live database in `region`: the instance (primary) or its read replica (DR)."""
        if region not in (self.primary_region, self.secondary_region):
            raise ValueError(f"{region} is not one of {self.tenant_id}'s regions")
        return self.db_instance if region == self.primary_region else self.replica_db_instance

    @staticmethod
    def db_log_group(db_instance: str, log: str) -> str:
        """RDS exports each log to this fixed name; we create the group first, encrypted."""
        return f"/aws/rds/instance/{db_instance}/{log}"

    # --- backup -------------------------------------------------------------------------------
    @property
    def backup_vault(self) -> str:
        return f"tenantkit-{self.tenant_id}"

    @property
    def dr_backup_vault(self) -> str:
        return f"tenantkit-{self.tenant_id}-dr"

    def vault_arn_in(self, region: str) -> str:
        """The tenant's backup vault of `region` by ARN: where copies of its recovery points may go."""
        return self._arn("backup", region, f"backup-vault:{self.vault_in(region)}")

    def recovery_point_arn_pattern(self, region: str) -> str:
        """Every recovery point of the account in `region` (recovery-point ARNs carry no vault:
        the vault's access policy is what names the tenant's)."""
        return self._arn("backup", region, "recovery-point:*")

    def backup_db_snapshot_arn_pattern(self, region: str) -> str:
        """Every DB snapshot AWS Backup made in `region`: an RDS recovery point's ARN is its
        snapshot's (`snapshot:awsbackup:job-<id>`), not a `recovery-point:` ARN, and AWS Backup
        deletes it with the caller's `rds:DeleteDBSnapshot` (the vault policy names the tenant's)."""
        return self._arn("rds", region, "snapshot:awsbackup:*")

    @property
    def dr_backup_vault_arn(self) -> str:
        return self._arn("backup", self.secondary_region, f"backup-vault:{self.dr_backup_vault}")

    @property
    def backup_plan(self) -> str:
        return f"tenantkit-{self.tenant_id}-backups"

    @property
    def restore_testing_plan(self) -> str:
        """Letters, digits and underscores only (AWS Backup's RestoreTestingPlanName), at most
        3+30+9 = 42 of 50; tenant ids hold no underscore, so the mapping stays one to one."""
        return f"tk_{self.tenant_id.replace('-', '_')}_restores"

    # --- firewall, logs, parameters, incidents ------------------------------------------------
    @property
    def web_acl(self) -> str:
        return f"tenantkit-{self.tenant_id}"

    def ip_set(self, version: str) -> str:
        return f"tenantkit-{self.tenant_id}-{version}"

    @property
    def waf_log_group(self) -> str:
        # WAF only logs to groups whose name starts with aws-waf-logs-.
        return f"aws-waf-logs-tenantkit-{self.tenant_id}"

    @property
    def parameter_path(self) -> str:
        """The tenant's SSM parameter path: the id is a whole path segment, so every parameter
        under it is this tenant's and no other tenant's."""
        return f"/tenantkit/{self.tenant_id}/"

    @property
    def web_acl_arn_parameter(self) -> str:
        return f"{self.parameter_path}web-acl-arn"

    @property
    def db_endpoint_parameter(self) -> str:
        """What the application reads to find its database (in both regions; failover re-points it)."""
        return f"{self.parameter_path}db-endpoint"

    @property
    def bucket_parameter(self) -> str:
        """What the application reads to find its file bucket (in both regions)."""
        return f"{self.parameter_path}bucket"

    @property
    def state_parameter(self) -> str:
        """The tenant's lifecycle state, in its account and primary region (the copy that wins)."""
        return f"{self.parameter_path}state"

    @property
    def flow_log_group(self) -> str:
        return f"/tenantkit/{self.tenant_id}/vpc-flow-logs"

    @property
    def replica_flow_log_group(self) -> str:
        return f"/tenantkit/{self.tenant_id}/replica-vpc-flow-logs"

    def extension_resource(self, name: str) -> str:
        """A physical name for a resource an extension (fleet.yaml `extensions:`) adds, `name` its
        own word for it: `tenantkit-<id>-ext-<name>`, the same in both regions."""
        return f"tenantkit-{self.tenant_id}-ext-{name}"

    @property
    def incident_topic(self) -> str:
        return f"tenantkit-{self.tenant_id}-incidents"

    def incident_topic_arn(self, region: str) -> str:
        return self._arn("sns", region, self.incident_topic)

    @property
    def incident_key_alias(self) -> str:
        """The incident topics' own key (not the data key), beside the tenant key's alias and of
        the same generation: `alias/tenantkit/<id>[/generation-<n>]/incidents`."""
        return incident_key_alias_of(self.key_alias)

    @property
    def _publisher_prefix(self) -> str:
        # A dot ends the tenant id: tenant ids hold none, so `tenantkit-acme.` begins no other
        # tenant's rule or alarm name (`tenantkit-acme-x.`).
        return f"tenantkit-{self.tenant_id}."

    def incident_publisher(self, purpose: str) -> str:
        """The name of an EventBridge rule or CloudWatch alarm that publishes to the incident
        topic: `tenantkit-<id>.<purpose>`, cut to EventBridge's 64 characters."""
        return f"{self._publisher_prefix}{purpose}"[:64]

    def incident_rule_arn_pattern(self, region: str) -> str:
        """Every EventBridge rule of the tenant in `region` (`aws:SourceArn`, ArnLike)."""
        return self._arn("events", region, f"rule/{self._publisher_prefix}*")

    def incident_alarm_arn_pattern(self, region: str) -> str:
        """Every CloudWatch alarm of the tenant in `region` (`aws:SourceArn`, ArnLike)."""
        return self._arn("cloudwatch", region, f"alarm:{self._publisher_prefix}*")

    @property
    def log_group_paths(self) -> tuple[str, str, str]:
        """The paths under which every log group is this tenant's: the tenant's own, and those RDS
        exports its two databases' logs to. Each ends with `/` right after the tenant id or a
        database identifier, a whole path segment that no other tenant's names can share."""
        return (
            f"/tenantkit/{self.tenant_id}/",
            f"/aws/rds/instance/{self.db_instance}/",
            f"/aws/rds/instance/{self.replica_db_instance}/",
        )

    @staticmethod
    def function_log_group(function_name: str) -> str:
        """Lambda writes a function's logs to this fixed name (created at its first invocation)."""
        return f"/aws/lambda/{function_name}"

    def log_group_arn_patterns(self, region: str) -> tuple[str, ...]:
        """Every log group of this tenant in `region`: the key policy lets CloudWatch Logs use the
        tenant key for these and no other."""
        own, database, replica = self.log_group_paths
        groups = (f"{own}*", self.waf_log_group, f"{database}*", f"{replica}*")
        return tuple(self._arn("logs", region, f"log-group:{group}") for group in groups)

    # --- helpers ------------------------------------------------------------------------------
    def _arn(self, service: str, region: str, resource: str) -> str:
        return f"arn:{PARTITION}:{service}:{region}:{self.account}:{resource}"


def names_for(tenant_id: str, account: str, primary_region: str, secondary_region: str, generation: int = 1) -> TenantNames:
    return TenantNames(
        tenant_id=tenant_id,
        account=account,
        primary_region=primary_region,
        secondary_region=secondary_region,
        generation=generation,
    )
