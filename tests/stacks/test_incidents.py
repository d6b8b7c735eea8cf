"""The incident channel: encrypted topic, the security contact, and who publishes to it."""

from __future__ import annotations

TOPIC = {"Ref": "IncidentsTopic1CF18B78"}


def test_topic_is_encrypted_with_the_tenant_key(maple):
    maple.has_resource_properties(
        "AWS::SNS::Topic",
        {
            "TopicName": "tenantkit-maple-ca-incidents",
            "KmsMasterKeyId": {"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]},
        },
    )


def test_security_contact_is_subscribed_by_email(maple):
    maple.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "security@maple.example", "TopicArn": TOPIC},
    )


def test_completed_backups_are_filtered_out_but_alarms_pass(maple):
    (subscription,) = maple.find_resources("AWS::SNS::Subscription").values()
    policy = subscription["Properties"]["FilterPolicy"]
    assert {"State": [{"anything-but": ["COMPLETED"]}]} in policy["$or"]
    assert {"State": [{"exists": False}]} in policy["$or"]


def test_only_this_accounts_backup_and_cloudwatch_may_publish(examples):
    resources = examples.raw("tenant-maple-ca-primary")["Resources"]
    statements = resources["IncidentsTopicPolicy26630E52"]["Properties"]["PolicyDocument"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert allow == [
        {
            "Sid": "TenantServicesPublishForThisAccountOnly",
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Principal": {"Service": ["backup.amazonaws.com", "cloudwatch.amazonaws.com"]},
            "Resource": TOPIC,
            "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
        }
    ]


def test_replication_failures_raise_an_alarm_on_the_topic(maple):
    maple.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/S3",
            "MetricName": "OperationsFailedReplication",
            "AlarmActions": [TOPIC],
            "Threshold": 0,
        },
    )


def test_replica_lag_raises_an_alarm_on_the_dr_regions_topic(examples):
    replica = examples.template("tenant-maple-ca-replica")
    alarms = replica.find_resources("AWS::CloudWatch::Alarm")
    (alarm,) = alarms.values()
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("AWS/RDS", "ReplicaLag")
    assert props["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": "tenantkit-maple-ca-replica"}]
    assert "Fn::ImportValue" in props["AlarmActions"][0]
    assert "tenant-maple-ca-dr" in props["AlarmActions"][0]["Fn::ImportValue"]
