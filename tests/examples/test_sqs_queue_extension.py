"""The example extension (examples/extensions/sqs_queue.py) through the synth service: its queues
carry the tenant key, tags and names, and every pack and rule checks what an extension adds."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_sqs as sqs

from tenantkit.config import load_tenants
from tenantkit.config.fleet_models import Extension
from tenantkit.naming import TAG_TENANT, names_for
from tenantkit.stacks.extensions import ExtensionContext
from tenantkit.synth.service import synth_tenants

ROOT = Path(__file__).resolve().parents[2]
TENANT = "maple-ca"
EXAMPLE = Extension(callable="examples.extensions.sqs_queue:add_queue", stack="primary")
WEAK = Extension(callable="tests.examples.test_sqs_queue_extension:add_weak_queue", stack="dr")


def add_weak_queue(stack: Stack, tenant, context: ExtensionContext) -> None:
    """The example weakened: no tenant key, no DLQ, no TLS-only policy."""
    sqs.Queue(stack, "WeakQueue", queue_name=context.names.extension_resource("weak"))


@pytest.fixture(scope="module")
def config():
    (found,) = [c for c in load_tenants([ROOT / "tenant_configs"]) if c.tenant_id == TENANT]
    return found


def _synth(config, extension: Extension, outdir: Path):
    (result,) = synth_tenants([config], outdir, extensions=[extension], root=ROOT)
    assert result.error is None, result.error
    return result


def _template(result, stack: str) -> dict:
    import json

    return json.loads((result.assembly_dir / f"{stack}.template.json").read_text())


def test_the_example_queues_use_the_tenant_key_tags_and_names_and_pass_every_check(config, tmp_path):
    result = _synth(config, EXAMPLE, tmp_path)
    names = names_for(config.tenant_id, config.account, config.primary_region, config.secondary_region, config.generation)
    resources = _template(result, names.primary_stack)["Resources"]
    queues = {r["Properties"]["QueueName"]: r["Properties"] for r in resources.values() if r["Type"] == "AWS::SQS::Queue"}
    assert set(queues) == {names.extension_resource("jobs"), names.extension_resource("jobs-dlq")}
    (alias,) = [r for r in resources.values() if r["Type"] == "AWS::KMS::Alias" and r["Properties"]["AliasName"] == names.key_alias]
    key_id = alias["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]  # the tenant's data key (the incident topic has its own)
    expected_tags = {**config.tags, TAG_TENANT: config.tenant_id}
    for queue in queues.values():
        assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
        tags = {tag["Key"]: tag["Value"] for tag in queue["Tags"]}
        assert expected_tags.items() <= tags.items()
    redrive = queues[names.extension_resource("jobs")]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 5
    policies = [r["Properties"]["PolicyDocument"] for r in resources.values() if r["Type"] == "AWS::SQS::QueuePolicy"]
    assert len(policies) == 2
    for policy in policies:
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy["Statement"]
        )
    assert result.findings == ()


def test_a_weakened_extension_is_flagged_by_the_packs(config, tmp_path):
    result = _synth(config, WEAK, tmp_path)
    weak = [finding for finding in result.findings if "WeakQueue" in finding]
    assert any("AwsSolutions-SQS3" in finding for finding in weak), result.findings
    assert any("AwsSolutions-SQS4" in finding for finding in weak), result.findings
    assert any(finding.startswith("encryption-uses-tenant-key") for finding in weak), result.findings


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("tk_no_such_module_here:add", "fleet.yaml: extensions.0.callable: cannot import 'tk_no_such_module_here'"),
        ("examples.extensions.sqs_queue:no_such_function", "fleet.yaml: extensions.0.callable: module 'examples.extensions.sqs_queue' has no function 'no_such_function'"),
    ],
)
def test_an_extension_that_cannot_be_loaded_is_one_line_naming_it(spec, message):
    from tenantkit.stacks.extensions import ExtensionError, load_extensions

    with pytest.raises(ExtensionError) as raised:
        load_extensions([Extension(callable=spec)], ROOT)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
