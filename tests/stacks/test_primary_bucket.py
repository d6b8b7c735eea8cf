"""The tenant's data bucket: private, TLS-only, encrypted, logged, replicated to the DR region."""

from __future__ import annotations

BUCKET = "DataBucketBD860FE1"


def _bucket(examples, tenant="maple-ca"):
    return examples.raw(f"tenant-{tenant}-primary")["Resources"][BUCKET]


def _rule(examples, tenant="maple-ca"):
    (rule,) = _bucket(examples, tenant)["Properties"]["ReplicationConfiguration"]["Rules"]
    return rule


def test_logical_id_and_name_are_pinned(examples):
    assert _bucket(examples)["Properties"]["BucketName"] == "maple-ca-data-111122223333-ca-central-1"


def test_sse_kms_with_the_tenant_key_and_bucket_keys(examples):
    (rule,) = _bucket(examples)["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["BucketKeyEnabled"] is True
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]},
    }


def test_versioned(examples):
    assert _bucket(examples)["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}


def test_all_public_access_blocked(examples):
    block = _bucket(examples)["Properties"]["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )


def test_bucket_owner_enforced(examples):
    assert _bucket(examples)["Properties"]["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }


def _policy_statements(maple) -> list[dict]:
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in maple.find_resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": BUCKET}
    ]
    (statements,) = policies
    return statements


def test_policy_denies_requests_without_tls(maple):
    assert {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": [
            {"Fn::GetAtt": [BUCKET, "Arn"]},
            {"Fn::Join": ["", [{"Fn::GetAtt": [BUCKET, "Arn"]}, "/*"]]},
        ],
    } in _policy_statements(maple)


def test_policy_denies_uploads_under_any_other_encryption_or_key(maple):
    # Each Deny holds only when its header is sent: a plain upload gets the bucket's default.
    statements = {s.get("Sid"): s for s in _policy_statements(maple)}
    assert statements["DenyOtherEncryption"]["Condition"] == {
        "Null": {"s3:x-amz-server-side-encryption": "false"},
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
    }
    key_condition = statements["DenyOtherKmsKey"]["Condition"]
    assert key_condition["Null"] == {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}
    named_by = key_condition["StringNotEquals"]["s3:x-amz-server-side-encryption-aws-kms-key-id"]
    assert named_by[:2] == [{"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]}, {"Ref": "TenantKey28C6FA36"}]
    assert named_by[2] == "arn:aws:kms:ca-central-1:111122223333:alias/tenantkit/maple-ca"
    assert statements["DenyCustomerProvidedKeys"]["Condition"] == {
        "Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}
    }
    for sid in ("DenyOtherEncryption", "DenyOtherKmsKey", "DenyCustomerProvidedKeys"):
        assert statements[sid]["Effect"] == "Deny" and statements[sid]["Action"] == "s3:PutObject"


def test_old_versions_expire_within_the_retention_promise(examples):
    config = examples.configs["maple-ca"]
    (rule,) = _bucket(examples)["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": config.backup.retention_days}
    dr = examples.raw("tenant-maple-ca-dr")["Resources"]["DrBucket9AC30D6C"]
    (dr_rule,) = dr["Properties"]["LifecycleConfiguration"]["Rules"]
    assert dr_rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": config.backup.copy_retention_days}


def test_server_access_logs_go_to_the_log_bucket(examples):
    assert _bucket(examples)["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": "AccessLogsBucketCD784A59"},
        "LogFilePrefix": "data/",
    }


def test_data_is_retained_when_the_stack_is_deleted(examples):
    assert _bucket(examples)["DeletionPolicy"] == "RetainExceptOnCreate"


def test_every_object_and_delete_marker_replicates_to_the_dr_bucket(examples):
    rule = _rule(examples)
    assert rule["Status"] == "Enabled" and rule["Filter"] == {"Prefix": ""}
    assert rule["DeleteMarkerReplication"] == {"Status": "Enabled"}
    assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    assert rule["Destination"]["Bucket"] == "arn:aws:s3:::maple-ca-dr-111122223333-ca-west-1"


def test_replicas_are_reencrypted_with_the_dr_key(examples):
    assert _rule(examples)["Destination"]["EncryptionConfiguration"] == {
        "ReplicaKmsKeyID": "arn:aws:kms:ca-west-1:111122223333:alias/tenantkit/maple-ca"
    }


def test_replication_time_control_with_metrics(examples):
    destination = _rule(examples)["Destination"]
    assert destination["ReplicationTime"] == {"Status": "Enabled", "Time": {"Minutes": 15}}
    assert destination["Metrics"] == {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}


def test_replication_role_may_encrypt_only_with_the_tenants_dr_key(examples):
    resources = examples.raw("tenant-maple-ca-primary")["Resources"]
    policy = resources["DataBucketReplicationPolicy82BF24E0"]["Properties"]["PolicyDocument"]
    encrypt = next(s for s in policy["Statement"] if "kms:Encrypt" in s["Action"])
    assert encrypt["Resource"] == "arn:aws:kms:ca-west-1:111122223333:key/*"
    assert encrypt["Condition"]["ForAnyValue:StringEquals"] == {
        "kms:ResourceAliases": ["alias/tenantkit/maple-ca"]
    }


def test_tenant_without_account_names_the_dr_bucket_with_the_deploying_account(examples):
    destination = _rule(examples, "northwind-us")["Destination"]["Bucket"]
    assert destination == {
        "Fn::Join": ["", ["arn:aws:s3:::northwind-us-dr-", {"Ref": "AWS::AccountId"}, "-us-west-2"]]
    }


def test_access_log_bucket_is_private_tls_only_and_retained(maple):
    maple.has_resource(
        "AWS::S3::Bucket",
        {
            "Properties": {
                "BucketName": "maple-ca-logs-111122223333-ca-central-1",
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                },
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "VersioningConfiguration": {"Status": "Enabled"},
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "ExpirationInDays": 400,
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                            "Status": "Enabled",
                        }
                    ]
                },
                "Tags": [
                    {"Key": "tenantkit:residency", "Value": "ca"},
                    {"Key": "tenantkit:tenant", "Value": "maple-ca"},
                ],
            },
            "DeletionPolicy": "RetainExceptOnCreate",
            "UpdateReplacePolicy": "Retain",
        },
    )
