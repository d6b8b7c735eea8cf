"""A read replica sets only what a replica may; a cross-region one names its source region and key.

Constraint: a read replica (`SourceDBInstanceIdentifier`) inherits the database, the credentials,
the encryption setting and the backups from its source, so it must not set BackupRetentionPeriod,
DBName, MasterUsername, MasterUserPassword, PreferredBackupWindow, ManageMasterUserPassword,
StorageEncrypted or DBSnapshotIdentifier. A replica in another region than its source must set
`SourceRegion` to the source's region and a `KmsKeyId` of its own region.

Sources:
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-sourcedbinstanceidentifier:
  "Don't set the BackupRetentionPeriod, DBName, MasterUsername, MasterUserPassword, and
  PreferredBackupWindow properties. The database attributes are inherited from the source DB
  instance, and backups are disabled for read replicas." / "If the source DB instance is in a
  different region than the read replica, specify the source region in SourceRegion, and specify
  an ARN for a valid DB instance in SourceDBInstanceIdentifier."
- https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html:
  "If you create an encrypted read replica in a different Amazon Web Services Region, then you
  must specify a KMS key identifier for the destination Amazon Web Services Region."

cfn-lint misses it: on a replica it checks at most MasterUsername, MasterUserPassword,
StorageEncrypted and CharacterSetName (E3020); it knows neither the other inherited properties
nor which region a stack deploys to.
"""

from __future__ import annotations

from tenantkit.compliance.assembly import TenantAssembly, render
from tenantkit.compliance.result import RuleResult
from tenantkit.compliance.template_refs import parse_arn, read_replicas

RULE = "read-replica-properties"

_INHERITED = (
    "BackupRetentionPeriod",
    "DBName",
    "MasterUsername",
    "MasterUserPassword",
    "PreferredBackupWindow",
    "ManageMasterUserPassword",
    "StorageEncrypted",
    "DBSnapshotIdentifier",
)


def replicas_set_only_their_own_properties(assembly: TenantAssembly) -> RuleResult:
    replicas = read_replicas(assembly)
    findings = []
    for stack, logical_id, replica in replicas:
        where = f"{stack.name}/{logical_id}"
        properties = replica["Properties"]
        findings += [
            f"{where}: a read replica inherits {name} from its source; remove it"
            for name in _INHERITED
            if name in properties
        ]
        source = parse_arn(properties["SourceDBInstanceIdentifier"], stack.region)
        if source is None or source["region"] == stack.region:
            continue
        region = source["region"]
        if render(properties.get("SourceRegion", "")) != region:
            findings.append(f"{where}: the source is in {region}; set SourceRegion: {region}")
        if "KmsKeyId" not in properties:
            findings.append(
                f"{where}: an encrypted cross-region replica needs a KmsKeyId of a key in "
                f"{stack.region}"
            )
            continue
        key = parse_arn(properties["KmsKeyId"], stack.region)
        if key is not None and key["region"] != stack.region:
            findings.append(
                f"{where}: KmsKeyId is a key in {key['region']}; use a key in {stack.region}"
            )
    return RuleResult.of(RULE, findings, applicable=bool(replicas))
