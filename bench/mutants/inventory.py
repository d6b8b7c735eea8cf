"""Mutants of inventory's checks: each edit makes `tenantkit inventory` miss or misreport something
its tests say it must report."""

from __future__ import annotations

from bench.mutants import Mutant

CHECKS = "tenantkit/lifecycle/inventory/checks.py"
MODEL = "tenantkit/lifecycle/inventory/model.py"
TESTS = "tests/lifecycle/test_inventory.py"

MUTANTS: list[Mutant] = [
    Mutant(
        name="inventory-denied-lookup-read-as-missing",
        file=CHECKS,
        old="            if failure is Failure.ABSENT:\n                raise _Absent(what) from None",
        new="            if failure in (Failure.ABSENT, Failure.DENIED):\n                raise _Absent(what) from None",
        tests=(f"{TESTS}::test_a_failed_lookup_is_could_not_check_never_missing",),
        why="an AccessDenied on the call that finds a resource is reported as 'does not exist'",
    ),
    Mutant(
        name="inventory-failed-setting-read-as-unset",
        file=CHECKS,
        old="            if failure is Failure.ABSENT:\n                return absent",
        new="            if failure is not Failure.THROTTLED:\n                return absent",
        tests=(f"{TESTS}::test_a_denied_setting_is_not_checked_not_read_as_unset",),
        why="a denied GetBucketPolicy/GetBucketEncryption is read as 'no policy'/'not encrypted'",
    ),
    Mutant(
        name="inventory-missing-not-told-apart",
        file=MODEL,
        old="        if self.missing:\n            return Status.MISSING\n",
        new="",
        tests=(
            f"{TESTS}::test_a_bucket_the_api_says_is_gone_is_missing",
            f"{TESTS}::test_a_declared_resource_that_is_missing_is_flagged",
            "tests/cli/test_inventory_cli.py::test_missing_and_could_not_check_are_told_apart_in_json",
        ),
        why="a resource the API says is gone is shown like any drift, not as missing",
    ),
    Mutant(
        name="inventory-could-not-check-not-flagged",
        file=MODEL,
        old="        if self.unchecked:\n            return Status.UNCHECKED\n",
        new="",
        tests=(
            f"{TESTS}::test_a_failed_lookup_is_could_not_check_never_missing",
            f"{TESTS}::test_a_denied_tag_search_is_not_checked",
            "tests/cli/test_inventory_cli.py::test_only_could_not_check_still_exits_1",
        ),
        why="a resource that could not be checked passes as OK and the command exits 0",
    ),
    Mutant(
        name="inventory-alias-tag-check-removed",
        file=CHECKS,
        old="        if tags.get(TAG_TENANT) != tenant_id:\n",
        new="        if False:\n",
        tests=(f"{TESTS}::test_an_alias_repointed_at_a_key_not_the_tenants_is_flagged_and_its_data_too",),
        why="the tenant alias repointed at another tenant's (or an untagged) key goes unflagged",
    ),
    Mutant(
        name="inventory-alias-stack-key-check-removed",
        file=CHECKS,
        old="        if declared not in (key_id, arn):\n",
        new="        if False:\n",
        tests=(f"{TESTS}::test_an_alias_repointed_away_from_the_key_its_stack_declares_is_flagged_even_if_tagged",),
        why="a key that copies the tenant tag is trusted though the tenant's stack declares another",
    ),
    Mutant(
        name="inventory-web-acls-read-as-one-page",
        file=CHECKS,
        old='pages(waf, "list_web_acls", "WebACLs", Scope="REGIONAL")',
        new='waf.list_web_acls(Scope="REGIONAL")["WebACLs"]',
        tests=(f"{TESTS}::test_the_tenants_web_acl_and_ip_set_are_found_past_the_first_page",),
        why="with 100 other web ACLs in the region the tenant's is reported missing",
    ),
    Mutant(
        name="inventory-ip-sets-read-as-one-page",
        file=CHECKS,
        old='pages(waf, "list_ip_sets", "IPSets", Scope="REGIONAL")',
        new='waf.list_ip_sets(Scope="REGIONAL")["IPSets"]',
        tests=(f"{TESTS}::test_the_tenants_web_acl_and_ip_set_are_found_past_the_first_page",),
        why="with 100 other IP sets in the region the tenant's is reported missing",
    ),
    Mutant(
        name="inventory-unreadable-key-makes-data-foreign",
        file=CHECKS,
        old="        if self.unreadable and key:\n",
        new="        if False:\n",
        tests=(f"{TESTS}::test_an_unreadable_tenant_key_leaves_the_data_unchecked_not_foreign",),
        why="a denied ListAliases turns every encrypted resource into a false 'not the tenant key'",
    ),
    Mutant(
        name="inventory-unverified-key-trusted-silently",
        file=CHECKS,
        old='            probe.unchecked.append(f"key {key}: its owner could not be verified")\n',
        new="",
        tests=(f"{TESTS}::test_a_key_whose_owner_cannot_be_read_is_not_checked_and_neither_is_its_data",),
        why="data under a key whose owner could not be read passes as the tenant's",
    ),
    Mutant(
        name="inventory-bucket-key-not-compared",
        file=CHECKS,
        old="                problems.extend(keys.judge(key, probe))\n",
        new="                pass\n",
        tests=(f"{TESTS}::test_a_bucket_re_encrypted_with_a_foreign_key_is_flagged",),
        why="a bucket re-encrypted with a foreign KMS key goes unflagged",
    ),
    Mutant(
        name="inventory-deletion-protection-not-compared",
        file=CHECKS,
        old='    if props.get("DeletionProtection") and not instance.get("DeletionProtection"):\n',
        new="    if False:\n",
        tests=(f"{TESTS}::test_deletion_protection_turned_off_is_flagged",),
        why="a database whose deletion protection was turned off goes unflagged",
    ),
    Mutant(
        name="inventory-undeployed-stack-not-flagged",
        file=CHECKS,
        old='        return missing(region, "stack", name, "not deployed")',
        new='        return Item(region, "stack", name)',
        tests=(f"{TESTS}::test_a_stack_not_deployed_is_missing_and_a_denied_one_not_checked",),
        why="a tenant stack that is not deployed passes as present",
    ),
    Mutant(
        name="inventory-tagged-matched-by-prefix",
        file=CHECKS,
        old="or _names_of(arn) & declared:",
        new="or any(f\":{name}\" in arn or f\"/{name}\" in arn for name in declared):",
        tests=(f"{TESTS}::test_a_tagged_resource_is_matched_to_a_declaration_by_its_exact_name_never_a_prefix",),
        why="a tagged resource whose name merely starts with a declared name is hidden from the listing",
    ),
]
