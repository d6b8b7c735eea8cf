from __future__ import annotations

import copy

import pytest

from tenantkit.compliance.cfn_lint import _rules, _stock_rules, ignored_checks, lint_template


def test_every_ignored_check_is_justified_by_a_comment():
    from tenantkit.compliance.cfn_lint import CONFIG_FILE

    text = CONFIG_FILE.read_text().splitlines()
    for check in ignored_checks():
        line = next(i for i, l in enumerate(text) if l.strip() == f"- {check}")
        assert text[line - 1].strip().startswith("#"), check


def test_a_valid_template_has_no_findings():
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}}
    }
    assert lint_template(template, "us-east-1") == []


def test_an_invalid_property_is_reported_with_its_rule_and_path():
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicNam": "t"}}}
    }
    (finding,) = lint_template(template, "us-east-1")
    assert finding.startswith("E3002 Resources/Topic/Properties")


# --- tenantkit's faster E1101 and E3062 find exactly what cfn-lint's own rules find ------------


def test_tenantkit_replaces_two_rules_and_no_other():
    ours, stock = _rules(), _stock_rules()
    assert list(ours.data) == list(stock.data)
    # cfn-lint loads its rule classes anew for each rule set, so compare classes by name
    replaced = {
        rule_id
        for rule_id in ours.data
        if type(ours.data[rule_id]).__name__ != type(stock.data[rule_id]).__name__
    }
    assert replaced == {"E1101", "E3062"}
    for rule_id in replaced:  # each replacement is a subclass of the rule it replaces
        assert type(ours.data[rule_id]).__mro__[1].__name__ == type(stock.data[rule_id]).__name__


def _database(**properties) -> dict:
    return {
        "Parameters": {"Engine": {"Type": "String", "Default": "postgres"}},
        "Resources": {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "AllocatedStorage": "20",
                    "MasterUsername": "admin",
                    "ManageMasterUserPassword": True,
                    "StorageEncrypted": True,
                    **properties,
                },
            }
        },
    }


DATABASES = {
    "postgres 17.9 on a class it offers": {
        "Engine": "postgres",
        "EngineVersion": "17.9",
        "DBInstanceClass": "db.m7g.large",
    },
    "postgres 17.9 on a class it does not offer": {
        "Engine": "postgres",
        "EngineVersion": "17.9",
        "DBInstanceClass": "db.m1.small",
    },
    "a capitalised engine name": {
        "Engine": "Postgres",
        "EngineVersion": "17.9",
        "DBInstanceClass": "db.m1.small",
    },
    "a patch version": {
        "Engine": "postgres",
        "EngineVersion": "17.9.1",
        "DBInstanceClass": "db.m1.small",
    },
    "another engine": {
        "Engine": "mysql",
        "EngineVersion": "8.0.39",
        "DBInstanceClass": "db.m1.small",
    },
    "an engine cfn-lint does not know": {
        "Engine": "postgress",
        "EngineVersion": "17.9",
        "DBInstanceClass": "db.m1.small",
    },
    "an engine from a parameter": {
        "Engine": {"Ref": "Engine"},
        "EngineVersion": "17.9",
        "DBInstanceClass": "db.m1.small",
    },
    "no engine (a read replica)": {
        "SourceDBInstanceIdentifier": "arn:aws:rds:us-east-1:111111111111:db:src",
        "DBInstanceClass": "db.m1.small",
    },
}


@pytest.mark.parametrize("properties", DATABASES.values(), ids=DATABASES.keys())
def test_e3062_finds_what_cfn_lint_finds(properties):
    template = _database(**properties)
    assert lint_template(copy.deepcopy(template), "us-east-1") == lint_template(
        template, "us-east-1", stock=True
    )


def test_e3062_still_rejects_a_class_the_engine_version_does_not_offer():
    findings = lint_template(
        _database(**DATABASES["postgres 17.9 on a class it does not offer"]), "us-east-1"
    )
    assert any(f.startswith("E3062 Resources/Db/Properties") for f in findings), findings


BROKEN = {
    "Resources": {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Maybe",
                            "Principal": {"AWS": "*"},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                }
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "p",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "s3:GetObject",
                                    "Resource": "not-an-arn",
                                }
                            ],
                        },
                    }
                ],
            },
        },
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketName": "Upper_Case", "VersioningConfiguration": {"Status": "On"}},
        },
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "g",
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 80, "CidrIp": "10.0.0.0/33"}
                ],
            },
        },
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "MessageRetentionPeriod": 10,
                "KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Nope"]},
            },
        },
        **_database(**DATABASES["postgres 17.9 on a class it does not offer"])["Resources"],
    }
}


def test_tenantkit_cfn_lint_finds_what_cfn_lint_finds_on_a_broken_template():
    ours = lint_template(copy.deepcopy(BROKEN), "us-east-1")
    assert ours == lint_template(copy.deepcopy(BROKEN), "us-east-1", stock=True)
    # the template exercises many of the rules E1101 dispatches to, not only the two replaced
    assert len({finding.split()[0] for finding in ours}) >= 5, ours


def test_validator_classes_are_made_once_and_reused():
    from tenantkit.compliance.cfn_lint_speedups import ValidatorClasses

    lint_template(copy.deepcopy(BROKEN), "us-east-1")
    made = len(ValidatorClasses.classes)
    lint_template(copy.deepcopy(BROKEN), "us-east-1")
    assert made > 0 and len(ValidatorClasses.classes) == made


def test_stock_only_restores_cfn_lints_own_functions_for_its_duration():
    import dataclasses

    import cfnlint.context.context
    import cfnlint.jsonschema.validators

    from tenantkit.compliance.cfn_lint_speedups import ValidatorClasses, stock_only

    _rules()  # installs the speed-ups
    with stock_only():
        assert cfnlint.jsonschema.validators.create is ValidatorClasses.stock
        assert cfnlint.context.context.fields is dataclasses.fields
    assert cfnlint.jsonschema.validators.create == ValidatorClasses.create
    assert cfnlint.context.context.fields is not dataclasses.fields
