from __future__ import annotations

from tenantkit.compliance.cfn_lint import ignored_checks, lint_template


def test_every_ignored_check_is_justified_by_a_comment():
    from tenantkit.compliance.cfn_lint import CONFIG_FILE

    text = CONFIG_FILE.read_text().splitlines()
    for check in ignored_checks():
        line = next(i for i, l in enumerate(text) if l.strip() == f"- {check}")
        assert text[line - 1].strip().startswith("#"), check


def test_a_valid_template_has_no_findings():
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}}}
    assert lint_template(template, "us-east-1") == []


def test_an_invalid_property_is_reported_with_its_rule_and_path():
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicNam": "t"}}}}
    (finding,) = lint_template(template, "us-east-1")
    assert finding.startswith("E3002 Resources/Topic/Properties")
