"""Mutants of offboarding: each edit breaks a promise the signed destruction report rests on (the
order of destruction, verification, failed deletions never counted as done, another tenant's
resources never touched, exact counts, the signing key checked first). Each names the fast tests
(in-process moto, no `slow` marker) that fail with the edit applied and pass without it; checked
by hand, one mutant at a time."""

from __future__ import annotations

from bench.mutants import Mutant

RESOURCES = "tenantkit/lifecycle/offboarding/resources.py"
RUN = "tenantkit/lifecycle/offboarding/run.py"
SERVICE = "tenantkit/lifecycle/offboarding/service.py"
ORDER = "tests/lifecycle/test_offboarding_order.py"
SAFETY = "tests/lifecycle/test_offboarding_safety.py"
COUNTS = "tests/lifecycle/test_offboarding_counts.py"
RULES = "tests/lifecycle/test_offboarding_rules.py"
GUARD = f"{SAFETY}::test_another_tenants_tag_stops_the_run_and_the_resource_is_not_touched"
INTERRUPTED = f"{COUNTS}::test_the_reports_counts_are_what_was_deleted_however_the_run_is_interrupted"

MUTANTS: list[Mutant] = [
    # --- the order of destruction
    Mutant(
        name="offboarding-keys-scheduled-first",
        file=RUN,
        old="key=lambda t: (KIND_ORDER[t.kind], order[t.id])",
        new='key=lambda t: (t.kind != "kms key", KIND_ORDER[t.kind], order[t.id])',
        tests=(
            f"{ORDER}::test_every_copy_of_the_data_is_destroyed_before_any_key_is_scheduled_for_deletion",
            f"{ORDER}::test_the_stacks_are_deleted_replica_then_primary_then_dr_and_before_the_keys",
        ),
        why="the keys are scheduled for deletion before the data they encrypt is destroyed",
    ),
    Mutant(
        name="offboarding-primary-database-before-replica",
        file=RESOURCES,
        old=(
            '    Kind("read replica", _database_finder(replica=True), _destroy_database),\n'
            '    Kind("database", _database_finder(replica=False), _destroy_database),\n'
        ),
        new=(
            '    Kind("database", _database_finder(replica=False), _destroy_database),\n'
            '    Kind("read replica", _database_finder(replica=True), _destroy_database),\n'
        ),
        tests=(f"{ORDER}::test_the_replica_is_deleted_before_the_primary_database",),
        why="the primary database is deleted while its cross-region replica still copies it",
    ),
    Mutant(
        name="offboarding-ip-sets-before-web-acl",
        file=RESOURCES,
        old='    Kind("web acl", _find_web_acls, _destroy_web_acl),\n    Kind("ip set", _find_ip_sets, _destroy_ip_set),\n',
        new='    Kind("ip set", _find_ip_sets, _destroy_ip_set),\n    Kind("web acl", _find_web_acls, _destroy_web_acl),\n',
        tests=(f"{ORDER}::test_the_web_acl_is_deleted_before_its_ip_sets",),
        why="IP sets deleted while the web ACL still references them (AWS refuses; the run stops half-way)",
    ),
    Mutant(
        name="offboarding-stacks-primary-first",
        file=RESOURCES,
        old="    return ((names.replica_stack, names.secondary_region), (names.primary_stack, names.primary_region), (names.dr_stack",
        new="    return ((names.primary_stack, names.primary_region), (names.replica_stack, names.secondary_region), (names.dr_stack",
        tests=(f"{ORDER}::test_the_stacks_are_deleted_replica_then_primary_then_dr_and_before_the_keys",),
        why="the primary stack is deleted before the replica stack that imports its exports",
    ),
    # --- verification
    Mutant(
        name="offboarding-verification-rediscovery-removed",
        file=RUN,
        old="    for target in discover(scope).targets:  # every region of the zone; anything tagged in the account\n        if target.kind == \"kms key\"",
        new="    for target in ():\n        if target.kind == \"kms key\"",
        tests=(f"{SAFETY}::test_a_leftover_nothing_journaled_and_untagged_is_found_by_verifications_own_discovery",),
        why="verification no longer discovers again: an untagged leftover is signed as 'nothing remains'",
    ),
    Mutant(
        name="offboarding-verification-tag-sweep-removed",
        file=RESOURCES,
        old="        for mapping in pages(tagging, \"get_resources\", \"ResourceTagMappingList\", TagFilters=[{\"Key\": TAG_TENANT, \"Values\": [scope.tenant_id]}]):",
        new="        for mapping in ():",
        tests=(f"{SAFETY}::test_a_tagged_resource_tenantkit_cannot_delete_keeps_the_run_open_naming_it",),
        why="a resource carrying the tenant's tag that discovery does not know is signed away",
    ),
    Mutant(
        name="offboarding-verification-key-state-unchecked",
        file=RUN,
        old='            if state != "PendingDeletion":\n',
        new='            if state not in ("PendingDeletion", "Disabled"):\n',
        tests=(f"{SAFETY}::test_a_key_whose_deletion_was_cancelled_is_found_by_verification_and_scheduled_again",),
        why="a key whose deletion was cancelled (moto leaves it Disabled, AWS too) passes verification",
    ),
    Mutant(
        name="offboarding-failed-verification-completes-the-run",
        file=SERVICE,
        old="    if not verification.ok:\n        for target_id in verification.found_again:",
        new="    if not verification.ok and not journal.data:\n        for target_id in verification.found_again:",
        tests=(
            f"{SAFETY}::test_a_leftover_found_by_verification_keeps_the_run_open_and_a_rerun_finishes_and_signs",
            f"{SAFETY}::test_a_tagged_resource_tenantkit_cannot_delete_keeps_the_run_open_naming_it",
        ),
        why="a failed verification marks the run complete and signs a report (the bug of issue 16)",
    ),
    Mutant(
        name="offboarding-leftovers-not-reopened",
        file=SERVICE,
        old="        for target_id in verification.found_again:\n            journal.reopen(target_id)\n",
        new="",
        tests=(f"{SAFETY}::test_what_verification_found_again_is_destroyed_by_the_rerun_though_discovery_cannot_find_it",),
        why="what verification found again stays 'done': a rerun whose discovery cannot find it any more never destroys it",
    ),
    # --- a failed deletion is never done
    Mutant(
        name="offboarding-delete-failed-journaled-as-destroyed",
        file=RESOURCES,
        old='    if status() == "DELETE_FAILED":\n',
        new='    if status() == "DELETE_FAILED" and not target.arn:\n',
        tests=(f"{SAFETY}::test_a_stack_that_ends_delete_failed_is_neither_journaled_nor_reported_as_destroyed",),
        why="a stack that ends DELETE_FAILED is journaled and reported as destroyed",
    ),
    # --- another tenant's tag
    Mutant(
        name="offboarding-guard-removed-for-keys",
        file=RESOURCES,
        old='    _check_owner(target, tags, scope.tenant_id)\n    if metadata["KeyState"] != "PendingDeletion":\n',
        new='    if metadata["KeyState"] != "PendingDeletion":\n',
        tests=(f"{GUARD}[kms key]",),
        why="a key with the tenant's alias but another tenant's tag is scheduled for deletion",
    ),
    Mutant(
        name="offboarding-guard-removed-for-databases",
        file=RESOURCES,
        old='        _check_owner(target, tags, scope.tenant_id)\n        if instance.get("DeletionProtection"):\n',
        new='        if instance.get("DeletionProtection"):\n',
        tests=(f"{GUARD}[database]", f"{GUARD}[read replica]"),
        why="another tenant's database or replica with the tenant's identifier is deleted",
    ),
    Mutant(
        name="offboarding-guard-removed-for-vaults",
        file=RESOURCES,
        old="    _check_owner(target, tags, scope.tenant_id)\n    _gone(lambda: backup.delete_backup_vault(",
        new="    _gone(lambda: backup.delete_backup_vault(",
        tests=(f"{GUARD}[backup vault]",),
        why="another tenant's backup vault with the tenant's vault name is deleted",
    ),
    Mutant(
        name="offboarding-guard-removed-for-secrets",
        file=RESOURCES,
        old='        _check_owner(target, {t["Key"]: t["Value"] for t in secret.get("Tags", [])}, scope.tenant_id)\n',
        new="",
        tests=(f"{GUARD}[secret]",),
        why="another tenant's secret with the tenant's secret name is deleted",
    ),
    Mutant(
        name="offboarding-guard-after-replication-removed",
        file=RESOURCES,
        old=(
            "        if described:  # before replication is touched: it is the primary's to change\n"
            '            _check_owner(target, {t["Key"]: t["Value"] for t in described.get("Tags", [])}, scope.tenant_id)\n'
        ),
        new="",
        tests=(f"{GUARD}[secret replica]",),
        why="another tenant's secret loses its replica (replication removed) before the guard looks at its tag",
    ),
    Mutant(
        name="offboarding-guard-ignores-a-foreign-owner",
        file=RESOURCES,
        old="    if owner is not None and owner != tenant_id:\n",
        new="    if owner is not None and owner != tenant_id and owner.startswith(tenant_id):\n",
        tests=(f"{GUARD}[bucket]", f"{GUARD}[kms key]", f"{GUARD}[database]", f"{GUARD}[secret]"),
        why="the guard only stops for owners that share the tenant's prefix",
    ),
    # --- exact counts
    Mutant(
        name="offboarding-batch-journaled-only-after-deletion",
        file=RESOURCES,
        old="            progress.begin({name: [entry for kind, entry in chunk if kind == name] for name in _OBJECT_COUNTS})\n",
        new="",
        tests=(f"{INTERRUPTED}[after DeleteObjects #2 (S3 deleted, answer lost)]",),
        why="a batch S3 deleted before the run stopped is never counted: the report under-counts (issue 20)",
    ),
    Mutant(
        name="offboarding-whole-batch-counted-on-partial-failure",
        file=RESOURCES,
        old="if kind == name and (k, v) in deleted) for name in _OBJECT_COUNTS})",
        new="if kind == name) for name in _OBJECT_COUNTS})",
        tests=(
            f"{INTERRUPTED}[S3 deletes only part of batch #2]",
            f"{COUNTS}::test_a_partial_failure_stops_the_step_and_counts_only_what_s3_deleted",
        ),
        why="versions S3 refused to delete are counted as destroyed",
    ),
    Mutant(
        name="offboarding-in-flight-batch-not-settled-on-rerun",
        file=RESOURCES,
        old="    _settle_objects(s3, bucket, progress)\n",
        new="",
        tests=(f"{INTERRUPTED}[after DeleteObjects #1 (S3 deleted, answer lost)]",),
        why="a rerun forgets the batch an interrupted run sent: the report under-counts",
    ),
    Mutant(
        name="offboarding-recovery-point-in-flight-forgotten",
        file=RESOURCES,
        old="    if pending is not None:\n",
        new="    if pending is not None and not points:\n",
        tests=(f"{COUNTS}::test_recovery_points_are_counted_once_when_a_run_is_interrupted_after_asking_for_a_deletion",),
        why="a recovery point whose deletion was asked before an interruption is never counted",
    ),
    # --- the signing key first
    Mutant(
        name="offboarding-signing-key-checked-after-the-deadline",
        file=SERVICE,
        old="        raise OffboardingRefused(f\"--confirm must repeat the tenant id ({tenant_id}); got {given}: nothing destroyed\")\n    load_signer(signing_key, kms_client_for)\n",
        new="        raise OffboardingRefused(f\"--confirm must repeat the tenant id ({tenant_id}); got {given}: nothing destroyed\")\n",
        tests=(f"{RULES}::test_a_wrong_signing_key_is_found_on_any_day_not_first_on_the_day_of_destruction",),
        why="a wrong signing key is found only on the day of destruction (execute loads it then)",
    ),
]
