"""cdk-nag: four packs, zero unacknowledged findings, every acknowledgment precise and reasoned."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aws_cdk import Stack

from tenantkit.compliance.assembly import VALIDATION_REPORT_FILE
from tenantkit.compliance.nag import PACKS

SINGLE_RULE = re.compile(
    r"^(?:Annotation::)?(?:AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+"
    r"(?:\[[^\]*][^\]]*\])?$"
)


def _acknowledgments(examples):
    for construct in examples.app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == "aws:cdk:acknowledged-rules":
                for rule, reason in entry.data.items():
                    if not rule.startswith("CloudFormation-Validate::"):  # CDK's own, on stacks
                        yield construct, rule, reason


def test_all_four_packs_check_every_synth(tmp_path):
    """An unencrypted, unlogged, unversioned bucket is reported by each of the four packs."""
    from aws_cdk import App, Environment
    from aws_cdk import aws_s3 as s3

    from tenantkit.compliance.assembly import validation_findings
    from tenantkit.compliance.nag import add_compliance_checks

    app = App(
        outdir=str(tmp_path),
        context={"@aws-cdk/core:failSynthOnValidationErrors": False},
        analytics_reporting=False,
    )
    stack = Stack(app, "Weak", env=Environment(account="123456789012", region="us-east-1"))
    s3.CfnBucket(stack, "Bucket")
    add_compliance_checks(app)
    app.synth()
    findings = validation_findings(tmp_path)
    packs = {"AwsSolutions", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"}
    assert {pack for pack in packs if any(f.startswith(f"{pack}-") for f in findings)} == packs, findings
    assert len(PACKS) == len(packs)


def test_example_tenants_have_no_unacknowledged_finding(examples):
    # The fixture's app.synth() raises on any unacknowledged finding; the report says so too.
    report = json.loads((Path(examples.assembly.directory) / VALIDATION_REPORT_FILE).read_text())
    for plugin in report["pluginReports"]:
        assert plugin.get("violations", []) == [], plugin["pluginName"]


def test_every_acknowledgment_names_one_rule(examples):
    rules = [rule for _, rule, _ in _acknowledgments(examples)]
    assert rules
    for rule in rules:
        assert SINGLE_RULE.match(rule), rule


def test_every_acknowledgment_gives_a_real_reason(examples):
    for _, rule, reason in _acknowledgments(examples):
        assert len(reason) >= 60, (rule, reason)


def test_acknowledgments_sit_on_constructs_not_on_stacks(examples):
    for construct, rule, _ in _acknowledgments(examples):
        assert not isinstance(construct, Stack), rule
