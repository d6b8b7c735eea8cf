"""Physical names: derived once, deterministic, inside AWS limits."""

from __future__ import annotations

import inspect
import itertools
import re
import subprocess
import sys

import pytest

from tenantkit.naming import NAME_WORDS, REGION_NAME, TenantNames, cdk_assets_bucket, stack_names, tenant_of_stack

LONGEST_ID = "a" * 28 + "-b"


@pytest.fixture
def names() -> TenantNames:
    return TenantNames(
        tenant_id="acme", account="123456789012", primary_region="us-east-1", secondary_region="us-west-2"
    )


def test_stack_names_in_deployment_order():
    assert stack_names("acme") == ("tenant-acme-dr", "tenant-acme-primary", "tenant-acme-replica")


@pytest.mark.parametrize("stack", stack_names("acme-eu"))
def test_tenant_is_recovered_from_its_stack_names(stack):
    assert tenant_of_stack(stack) == "acme-eu"


def test_the_cdk_assets_bucket_is_cdk_bootstraps_default_of_the_environment():
    assert cdk_assets_bucket("123456789012", "eu-west-3") == "cdk-hnb659fds-assets-123456789012-eu-west-3"


def test_foreign_stacks_belong_to_no_tenant():
    assert tenant_of_stack("CDKToolkit") is None


def test_cross_region_arns_point_into_the_secondary_region(names):
    assert names.dr_key_alias_arn == "arn:aws:kms:us-west-2:123456789012:alias/tenantkit/acme"
    assert names.dr_backup_vault_arn == "arn:aws:backup:us-west-2:123456789012:backup-vault:tenantkit-acme-dr"
    assert names.db_instance_arn == "arn:aws:rds:us-east-1:123456789012:db:tenantkit-acme"


def test_the_waf_log_group_has_the_prefix_waf_requires(names):
    assert names.waf_log_group.startswith("aws-waf-logs-")


@pytest.mark.parametrize("region", ["ca-central-1", "eu-central-1"])
def test_longest_bucket_names_fit_s3_rules(region):
    longest = TenantNames(tenant_id=LONGEST_ID, account="123456789012", primary_region=region, secondary_region=region)
    for bucket in (longest.data_bucket, longest.access_log_bucket, longest.dr_bucket):
        assert len(bucket) <= 63
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", bucket)


def test_longest_db_identifiers_fit_rds_rules():
    longest = TenantNames(tenant_id=LONGEST_ID, account="1", primary_region="us-east-1", secondary_region="us-west-2")
    assert len(longest.replica_db_instance) <= 63


def test_naming_imports_no_cdk():
    """Lifecycle code reuses the names with boto3: importing them must not start jsii."""
    code = "import sys, tenantkit.naming; print('aws_cdk' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def _every_derived_name(names: TenantNames) -> list[str]:
    """Every name and ARN TenantNames derives, through each public property and method (each
    method called with every value its parameters take)."""
    arguments = {
        "region": [names.primary_region, names.secondary_region],
        "version": ["ipv4", "ipv6"],
        "db_instance": [names.db_instance, names.replica_db_instance],
        "log": ["postgresql", "upgrade"],
        "bucket": [names.data_bucket],
        "function_name": ["some-function"],
        "role_name": [names.break_glass_role, names.rotation_role],
        "purpose": ["SecretReads"],
        # A restore's name is the operator's (`--as NAME`), a letter then letters and digits, no
        # hyphen: never a word of another tenant's id boundary (tests/lifecycle/test_restore_names.py).
        "name": ["zqxrestore"],
    }
    derived: list[str] = []
    for attribute in dir(TenantNames):
        if attribute.startswith("_") or attribute in {"tenant_id", "account", "primary_region", "secondary_region", "generation"}:
            continue
        value = getattr(names, attribute)
        if callable(value):
            parameters = list(inspect.signature(value).parameters)
            assert set(parameters) <= set(arguments), f"{attribute}{parameters}: say which values to call it with"
            results = [value(*call) for call in itertools.product(*(arguments[p] for p in parameters))]
        else:
            results = [value]
        for result in results:
            derived.extend([result] if isinstance(result, str) else result)
    return derived


def test_every_word_appended_to_a_tenant_id_is_in_name_words():
    """A word tenantkit appends after the id (`<id>-data-...`, `tenant-<id>-dr`, `tk_<id>_...`) and NAME_WORDS
    does not list would let a tenant id contain it, and so begin another tenant's names."""
    tenant, account = "zqx", "123456789012"
    names = TenantNames(tenant_id=tenant, account=account, primary_region="us-east-1", secondary_region="us-west-2")
    appended = set()
    for name in _every_derived_name(names):
        for segment in re.split(r"[/:]", name):
            words = re.split(r"[-_]", segment)  # an underscore where a name allows no hyphen
            if tenant in words:
                rest = "-".join(words[words.index(tenant) + 1 :])
                rest = REGION_NAME.sub("", rest.replace(account, ""))
                appended |= {word for word in rest.split("-") if word and word != "zqxrestore"}
    assert appended, "no name appends a word to the tenant id: the derivation above is broken"
    assert appended <= set(NAME_WORDS), sorted(appended - set(NAME_WORDS))



def test_generation_one_keeps_todays_alias_and_later_generations_never_answer_to_it():
    first = TenantNames(tenant_id="acme", account="123456789012", primary_region="us-east-1", secondary_region="us-west-2")
    second = TenantNames(**{**first.__dict__, "generation": 2})
    assert first.key_alias == "alias/tenantkit/acme"
    assert second.key_alias == "alias/tenantkit/acme/generation-2"
    assert TenantNames(**{**first.__dict__, "tenant_id": "acme-g2"}).key_alias not in (second.key_alias, first.key_alias)
    changed = {a for a, b in zip(_every_derived_name(first), _every_derived_name(second), strict=True) if a != b}
    assert changed == {
        first.key_alias, first.dr_key_alias_arn, first.key_alias_arn("us-east-1"), first.incident_key_alias,
        first.offboarding_role, first.offboarding_role_arn,
    }


def test_a_later_generation_has_its_own_offboarding_role_under_the_tenant_path():
    first = TenantNames(tenant_id="a" * 30, account="123456789012", primary_region="us-east-1", secondary_region="us-west-2")
    later = [TenantNames(**{**first.__dict__, "generation": generation}) for generation in (2, 999)]
    assert first.offboarding_role == f"tenantkit-{'a' * 30}-offboarding"
    assert [names.offboarding_role for names in later] == [f"{first.offboarding_role}-g2", f"{first.offboarding_role}-g999"]
    assert all(len(names.offboarding_role) <= 64 for names in later)  # IAM's limit on a role name
    assert all(names.offboarding_role_arn.startswith(first.tenant_role_arn_pattern.rstrip("*")) for names in later)


def test_incident_publisher_names_fit_eventbridge_and_stay_distinct_for_the_longest_tenant_id():
    """EventBridge rule and CloudWatch alarm names: at most 64 characters of `[.\\-_A-Za-z0-9]`
    (EventBridge API Reference, PutRule `Name`); cutting to 64 must never merge two publishers."""
    from tenantkit.constructs.detection import DETECTION_IDS

    names = TenantNames(tenant_id="a" * 30, account="123456789012", primary_region="us-east-1", secondary_region="us-west-2")
    purposes = sorted({*itertools.chain.from_iterable(DETECTION_IDS.values()), "ReplicaLag", "ReplicationFailures"})
    published = [names.incident_publisher(purpose) for purpose in purposes]
    assert all(len(name) <= 64 and re.fullmatch(r"[.\-_A-Za-z0-9]+", name) for name in published), published
    assert len(set(published)) == len(purposes)
