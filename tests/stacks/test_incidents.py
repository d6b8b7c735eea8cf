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


def test_only_this_accounts_backup_cloudwatch_and_eventbridge_may_publish(examples):
    resources = examples.raw("tenant-maple-ca-primary")["Resources"]
    statements = resources["IncidentsTopicPolicy26630E52"]["Properties"]["PolicyDocument"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert allow == [
        {
            "Sid": "TenantServicesPublishForThisAccountOnly",
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Principal": {"Service": ["backup.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]},
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


def test_changes_to_the_tenant_key_reach_the_topic(maple):
    from aws_cdk.assertions import Match

    maple.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.kms"],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": Match.object_like(
                    {
                        "eventName": Match.array_with(["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"]),
                        "resources": {"ARN": [{"Fn::GetAtt": ["TenantKey28C6FA36", "Arn"]}]},
                    }
                ),
            },
            "Targets": [Match.object_like({"Arn": TOPIC})],
        },
    )


def test_failure_and_security_events_of_the_database_reach_the_topic(maple):
    from aws_cdk.assertions import Match

    maple.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.rds"],
                "detail-type": ["RDS DB Instance Event"],
                "resources": ["arn:aws:rds:ca-central-1:111122223333:db:tenantkit-maple-ca"],
                "detail": {"EventCategories": Match.array_with(["failure", "security"])},
            },
            "Targets": [Match.object_like({"Arn": TOPIC})],
        },
    )


def test_a_sharp_rise_in_waf_blocks_raises_an_alarm_in_both_regions(examples):
    for stack, region in (("tenant-maple-ca-primary", "ca-central-1"), ("tenant-maple-ca-dr", "ca-west-1")):
        alarms = [
            alarm["Properties"]
            for alarm in examples.template(stack).find_resources("AWS::CloudWatch::Alarm").values()
            if alarm["Properties"].get("ThresholdMetricId")
        ]
        (alarm,) = alarms
        assert alarm["ComparisonOperator"] == "GreaterThanUpperThreshold"
        (metric,) = [m for m in alarm["Metrics"] if "MetricStat" in m]
        dimensions = {d["Name"]: d["Value"] for d in metric["MetricStat"]["Metric"]["Dimensions"]}
        assert dimensions == {"WebACL": "tenantkit-maple-ca", "Region": region, "Rule": "ALL"}
        assert alarm["AlarmActions"] == [TOPIC]
