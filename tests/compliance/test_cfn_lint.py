from __future__ import annotations

import copy
import json

import pytest

from tenantkit.compliance.cfn_lint import _rules, _stock_rules, ignored_checks, lint_template


def test_every_ignored_check_is_justified_by_a_comment():
    from importlib import resources

    from tenantkit.compliance.cfn_lint import SETTINGS_FILE, SETTINGS_PACKAGE

    text = resources.files(SETTINGS_PACKAGE).joinpath(SETTINGS_FILE).read_text().splitlines()
    assert ignored_checks() == ("W3010", "W3005")
    for check in ignored_checks():
        line = next(i for i, entry in enumerate(text) if entry.strip() == f"- {check}")
        assert text[line - 1].strip().startswith("#"), check


def test_an_ignored_check_is_not_reported():
    template = {
        "Resources": {
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": "vpc-12345678",
                    "CidrBlock": "10.0.0.0/24",
                    "AvailabilityZone": "us-east-1a",
                },
            }
        }
    }
    assert lint_template(template, "us-east-1") == []
    from cfnlint.api import lint_all

    assert "W3010" in {match.rule.id for match in lint_all(json.dumps(template))}


def test_missing_lint_settings_fail_loudly(tmp_path, monkeypatch):
    from tenantkit.compliance import cfn_lint

    with pytest.raises(cfn_lint.LintSettingsError, match="cannot read the cfn-lint settings"):
        cfn_lint.read_settings(name="no-such-settings.yaml")


def test_lint_settings_without_a_list_of_checks_fail_loudly(tmp_path, monkeypatch):
    from tenantkit.compliance import cfn_lint

    package = tmp_path / "fake_settings_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.yaml").write_text("ignore_checks: W3010\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(cfn_lint.LintSettingsError, match="ignore_checks: must be a list"):
        cfn_lint.read_settings("fake_settings_pkg", "settings.yaml")


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


# --- speed-ups are used only on the upstream code they were checked against -------------------


def test_every_speed_up_matches_the_installed_cfn_lint():
    from tenantkit.compliance.cfn_lint_speedups import SPEEDUPS, fingerprint

    assert [s.fingerprint for s in SPEEDUPS] == [fingerprint(s.upstream) for s in SPEEDUPS]


def test_a_changed_upstream_leaves_its_speed_up_out_with_a_warning(monkeypatch):
    """A fingerprint that does not match (cfn-lint changed the code a speed-up relies on): the
    rule set is cfn-lint's own and the warning says which speed-up and why."""
    import dataclasses

    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    from tenantkit.compliance import cfn_lint_speedups

    (e3062,) = [s for s in cfn_lint_speedups.SPEEDUPS if s.name == "E3062-engine-index"]
    changed = dataclasses.replace(e3062, fingerprint="0" * 16)
    monkeypatch.setattr(cfn_lint_speedups, "SPEEDUPS", (changed,))
    rules, refused = cfn_lint_speedups.install(Runner(ConfigMixIn(regions=["us-east-1"])).rules)
    assert type(rules.data["E3062"]).__name__ == "DbInstanceDbInstanceClassWithEngine"
    (warning,) = refused
    assert warning.startswith("cfn-lint speed-up E3062-engine-index left out")
    assert "checked with 0000000000000000" in warning


def test_a_speed_up_that_refuses_to_load_leaves_cfn_lint_as_shipped(monkeypatch):
    """A shape check that fails after the fingerprint matched changes nothing either: no
    module's `fields` is replaced when one of them is not what the speed-up expects."""
    import cfnlint.context.context
    import cfnlint.jsonschema.validators
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    from tenantkit.compliance import cfn_lint_speedups

    def other_fields(_class_or_instance):
        return ()

    monkeypatch.setattr(cfnlint.jsonschema.validators, "fields", other_fields)
    context_fields = cfnlint.context.context.fields
    rules = Runner(ConfigMixIn(regions=["us-east-1"])).rules
    _, refused = cfn_lint_speedups.install(rules)
    assert any("fields-of-class left out" in warning for warning in refused), refused
    assert cfnlint.context.context.fields is context_fields
    assert cfnlint.jsonschema.validators.fields is other_fields


def test_lint_warnings_reach_the_outcome(monkeypatch, tmp_path):
    from tenantkit.compliance import cfn_lint

    monkeypatch.setattr(cfn_lint, "_warnings", ["cfn-lint speed-up X left out: because"])
    monkeypatch.setattr(cfn_lint, "stack_artifacts", lambda _dir, _names: [])
    outcome = cfn_lint.lint_assembly_stacks(tmp_path, ())
    assert outcome.warnings == ("cfn-lint speed-up X left out: because",)


# --- the equivalence corpus: dynamic references, intrinsics in Engine, conditions ---------------

_WITH_CONDITIONS = {
    "Parameters": {
        "Engine": {"Type": "String", "Default": "postgres"},
        "Env": {"Type": "String", "AllowedValues": ["prod", "dev"]},
    },
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "Broken": {"Fn::Equals": [{"Ref": "Nope"}]},
    },
}

CORPUS = {
    "secretsmanager dynamic reference": _database(
        Engine="postgres",
        EngineVersion="17.9",
        DBInstanceClass="db.m7g.large",
        MasterUserPassword="{{resolve:secretsmanager:db-secret:SecretString:password}}",
        ManageMasterUserPassword=False,
    ),
    "ssm dynamic reference in the class": _database(
        Engine="postgres", EngineVersion="17.9", DBInstanceClass="{{resolve:ssm:/db/class}}"
    ),
    "a malformed dynamic reference": _database(
        Engine="postgres", EngineVersion="17.9", DBInstanceClass="{{resolve:ssm-secure}}"
    ),
    "Engine from Fn::If": {
        **_WITH_CONDITIONS,
        **_database(
            Engine={"Fn::If": ["IsProd", "postgres", "mysql"]},
            EngineVersion="17.9",
            DBInstanceClass="db.m1.small",
        ),
    },
    "Engine from a Ref to a parameter": _database(
        Engine={"Ref": "Engine"}, EngineVersion="8.0.39", DBInstanceClass="db.m7g.large"
    ),
    "Engine from Fn::Sub": _database(
        Engine={"Fn::Sub": "${Engine}"}, EngineVersion="17.9", DBInstanceClass="db.m1.small"
    ),
    "conditions, one broken, on resources": {
        **_WITH_CONDITIONS,
        "Resources": {
            "Db": {
                **_database(Engine="postgres", EngineVersion="17.9", DBInstanceClass="db.m1.small")[
                    "Resources"
                ]["Db"],
                "Condition": "IsProd",
            },
            "Topic": {"Type": "AWS::SNS::Topic", "Condition": "Missing"},
        },
    },
    "Engine as a boolean-like string": _database(
        Engine="true", EngineVersion="17.9", DBInstanceClass="db.m1.small"
    ),
}


@pytest.mark.parametrize("template", CORPUS.values(), ids=CORPUS.keys())
def test_tenantkit_cfn_lint_finds_what_cfn_lint_finds_on_the_corpus(template):
    ours = lint_template(copy.deepcopy(template), "us-east-1")
    assert ours == lint_template(copy.deepcopy(template), "us-east-1", stock=True)


# --- context-copies: Context.evolve and Path.descend without the frozen dataclass __init__ -----


def _as_built_by(method_owner, name, *args, **kwargs):
    """What `name` of cfn-lint's own code (stock) and of the speed-up return for the same call."""
    from tenantkit.compliance.cfn_lint_speedups import stock_only

    _rules()  # installs the speed-ups
    ours = getattr(method_owner, name)(*args, **kwargs)
    with stock_only():
        stock = getattr(method_owner, name)(*args, **kwargs)
    return ours, stock


def test_context_evolve_builds_the_context_cfn_lint_builds():
    from collections import deque

    from cfnlint.context.context import Context, Path

    base = Context(regions=["eu-central-1"], ref_values={"A": "1"}, path=Path(path=deque(["Resources"])))
    base.module_names  # noqa: B018 - a cached property in __dict__ must not be copied
    for changes in ({}, {"functions": ["Fn::Sub"]}, {"ref_values": {"B": "2"}, "strict_types": False}):
        ours, stock = _as_built_by(base, "evolve", **changes)
        assert type(ours) is Context and ours == stock, changes
        assert vars(ours) == vars(stock), changes
    assert base.ref_values == {"A": "1"}  # merged into a copy, as cfn-lint does


def test_path_descend_builds_the_path_cfn_lint_builds():
    from collections import deque

    from cfnlint.context.context import Path

    base = Path(path=deque(["Resources", "Db"]), cfn_path=deque(["Resources", "AWS::RDS::DBInstance"]))
    for changes in ({"path": "Properties", "cfn_path": "Properties"}, {"path": 0, "cfn_path": None}, {}):
        ours, stock = _as_built_by(base, "descend", **changes)
        assert vars(ours) == vars(stock), changes
        assert ours.path is not base.path or changes.get("path") is None  # a new deque, never shared when changed
    assert list(base.path) == ["Resources", "Db"]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda path: path.descend(cfn_path="Fn::Sub"), ValueError),
        (lambda path: path.descend(cfn_path=3), ValueError),
        (lambda path: path.descend(not_a_field="x"), TypeError),
    ],
)
def test_path_descend_refuses_what_cfn_lint_refuses(call, error):
    from cfnlint.context.context import Path

    _rules()
    with pytest.raises(error):
        call(Path())


def test_context_evolve_refuses_a_name_that_is_not_a_field():
    from cfnlint.context.context import Context

    _rules()
    with pytest.raises(TypeError):
        Context().evolve(not_a_field=1)


def test_stock_only_restores_cfn_lints_own_context_copies():
    from cfnlint.context.context import Context, Path

    from tenantkit.compliance.cfn_lint_speedups import ContextCopies, stock_only

    _rules()
    with stock_only():
        assert vars(Context)["evolve"] is ContextCopies.stock["Context"]
        assert vars(Path)["descend"] is ContextCopies.stock["Path"]
    assert vars(Context)["evolve"] is not ContextCopies.stock["Context"]
    assert vars(Path)["descend"] is not ContextCopies.stock["Path"]
