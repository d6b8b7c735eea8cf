"""Read replicas are linted with their source's engine, so cfn-lint checks their class per region."""

from __future__ import annotations

import json

import pytest

from tenantkit.compliance.cfn_lint import (
    lint_template,
    lint_with_source_engines,
    source_engines,
    with_source_engines,
)

SOURCE = "arn:aws:rds:ca-central-1:111122223333:db:tenantkit-acme"


def _primary() -> dict:
    return {
        "Resources": {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "DBInstanceIdentifier": "tenantkit-acme",
                    "Engine": "postgres",
                    "EngineVersion": "17.9",
                    "DBInstanceClass": "db.t4g.medium",
                    "AllocatedStorage": "50",
                    "StorageEncrypted": True,
                },
            }
        }
    }


def _replica(instance_class: str) -> str:
    return json.dumps(
        {
            "Resources": {
                "Replica": {
                    "Type": "AWS::RDS::DBInstance",
                    "Properties": {
                        "DBInstanceIdentifier": "tenantkit-acme-replica",
                        "SourceDBInstanceIdentifier": SOURCE,
                        "SourceRegion": "ca-central-1",
                        "DBInstanceClass": instance_class,
                    },
                }
            }
        }
    )


def test_the_replica_gets_its_sources_engine_for_linting():
    engines = source_engines([_primary()])
    assert engines == {"tenantkit-acme": {"Engine": "postgres", "EngineVersion": "17.9"}}
    text, replicas = with_source_engines(_replica("db.t3.medium"), engines)
    assert json.loads(text)["Resources"]["Replica"]["Properties"]["Engine"] == "postgres"
    assert replicas == ["Replica"]


def test_a_template_without_replicas_is_linted_as_synthesized():
    text = json.dumps(_primary())
    assert with_source_engines(text, source_engines([_primary()])) == (text, [])


@pytest.mark.slow
def test_a_class_the_secondary_region_does_not_offer_is_found_only_with_the_engine_known():
    engines = source_engines([_primary()])
    unknown_engine = lint_template(_replica("db.t4g.medium"), "ca-west-1")
    known_engine = lint_with_source_engines(_replica("db.t4g.medium"), "ca-west-1", engines)
    assert not any(line.startswith("E3025") for line in unknown_engine)
    assert any(line.startswith("E3025") for line in known_engine), known_engine
    offered = lint_with_source_engines(_replica("db.t3.medium"), "ca-west-1", engines)
    assert offered == []


@pytest.mark.slow
def test_only_the_replica_rule_conflict_is_set_aside():
    """E3720 (StorageEncrypted with KmsKeyId) is dropped for the replica alone: on a primary it
    still reports."""
    engines = source_engines([_primary()])
    replica = json.loads(_replica("db.t3.medium"))
    replica["Resources"]["Replica"]["Properties"]["KmsKeyId"] = "arn:aws:kms:ca-west-1:111122223333:key/k"
    assert lint_with_source_engines(json.dumps(replica), "ca-west-1", engines) == []
    primary = _primary()
    del primary["Resources"]["Db"]["Properties"]["StorageEncrypted"]
    primary["Resources"]["Db"]["Properties"]["KmsKeyId"] = "arn:aws:kms:ca-central-1:111122223333:key/k"
    assert any(line.startswith("E3720") for line in lint_template(primary, "ca-central-1"))
