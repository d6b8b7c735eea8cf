"""The incident channel: encrypted topic, the security contact, and who publishes to it."""

from __future__ import annotations

TOPIC = {"Ref": "IncidentsTopic1CF18B78"}


def test_topic_is_encrypted_with_its_own_key_not_the_data_key(maple):
    maple.has_resource_properties(
        "AWS::SNS::Topic",
        {
            "TopicName": "tenantkit-maple-ca-incidents",
            "KmsMasterKeyId": {"Fn::GetAtt": ["IncidentsKey59FA4D8E", "Arn"]},
        },
    )
    maple.has_resource_properties(
        "AWS::KMS::Alias",
        {"AliasName": "alias/tenantkit/maple-ca/incidents", "TargetKeyId": {"Fn::GetAtt": ["IncidentsKey59FA4D8E", "Arn"]}},
    )


def test_only_the_publishers_may_use_the_incident_key_and_only_for_the_topic(examples):
    resources = examples.raw("tenant-maple-ca-primary")["Resources"]
    statements = resources["IncidentsKey59FA4D8E"]["Properties"]["KeyPolicy"]["Statement"]
    (use,) = [s for s in statements if "kms:Decrypt" in s["Action"]]
    assert use["Principal"] == {"Service": ["backup.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"]}
    assert use["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:ca-central-1:111122223333:tenantkit-maple-ca-incidents"}
    }


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


def test_only_the_tenants_own_vault_alarms_and_rules_may_publish(examples):
    resources = examples.raw("tenant-maple-ca-primary")["Resources"]
    statements = resources["IncidentsTopicPolicy26630E52"]["Properties"]["PolicyDocument"]["Statement"]
    allow = {s["Principal"]["Service"]: s["Condition"] for s in statements if s["Effect"] == "Allow"}
    account = {"aws:SourceAccount": "111122223333"}
    assert allow == {
        "backup.amazonaws.com": {
            "ArnLike": {"aws:SourceArn": ["arn:aws:backup:ca-central-1:111122223333:backup-vault:tenantkit-maple-ca"]},
            "StringEquals": account,
        },
        "cloudwatch.amazonaws.com": {
            "ArnLike": {"aws:SourceArn": ["arn:aws:cloudwatch:ca-central-1:111122223333:alarm:tenantkit-maple-ca.*"]},
            "StringEquals": account,
        },
        "events.amazonaws.com": {
            "ArnLike": {"aws:SourceArn": ["arn:aws:events:ca-central-1:111122223333:rule/tenantkit-maple-ca.*"]},
            "StringEquals": account,
        },
    }


def test_every_publisher_has_a_name_the_topic_policy_admits(examples):
    for stack in ("tenant-maple-ca-dr", "tenant-maple-ca-primary", "tenant-maple-ca-replica"):
        template = examples.template(stack)
        names = [r["Properties"]["Name"] for r in template.find_resources("AWS::Events::Rule").values()]
        names += [a["Properties"]["AlarmName"] for a in template.find_resources("AWS::CloudWatch::Alarm").values()]
        assert names and all(name.startswith("tenantkit-maple-ca.") and len(name) <= 64 for name in names), names


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
