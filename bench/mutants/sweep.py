"""Mutants of offboarding's sweep (issue 19 item 2): each edit lets a copy of the tenant's data
outlive the signed report, or destroys a neighbour's, or hides a residency incident. Each names the
tests of `tests/lifecycle/test_offboarding_zone.py` (in-process moto, no `slow` marker) that fail
with the edit applied and pass without it; checked by hand, one mutant at a time."""

from __future__ import annotations

from bench.mutants import Mutant

RESOURCES = "tenantkit/lifecycle/offboarding/resources.py"
RUN = "tenantkit/lifecycle/offboarding/run.py"
ZONE = "tests/lifecycle/test_offboarding_zone.py"
SNAPSHOTS = f"{ZONE}::test_snapshot_copies_are_found_in_every_region_of_the_zone_and_none_of_the_neighbours"
DEFAULT_VAULT = f"{ZONE}::test_the_default_vault_loses_the_tenants_points_only"
INCIDENT = f"{ZONE}::test_anything_tagged_with_the_tenant_outside_the_zone_is_a_residency_incident"
STREAMS = f"{ZONE}::test_enhanced_monitoring_streams_are_matched_by_the_exact_resource_id"
EXACT = f"{ZONE}::test_verification_looks_up_each_journaled_log_group_by_its_exact_name"
RESTORES = f"{ZONE}::test_the_restore_testing_plan_is_deleted_before_anything_else"

MUTANTS: list[Mutant] = [
    Mutant(
        name="sweep-snapshots-in-the-two-regions-only",
        file=RESOURCES,
        old='for region in scope.zone_regions for s in pages(scope.client("rds", region), "describe_db_snapshots"',
        new='for region in scope.regions for s in pages(scope.client("rds", region), "describe_db_snapshots"',
        tests=(SNAPSHOTS,),
        why="a snapshot copied to a third region of the zone survives, and the report says nothing remains",
    ),
    Mutant(
        name="sweep-snapshots-by-identifier-prefix",
        file=RESOURCES,
        old='snapshot.get("DBInstanceIdentifier") in identifiers',
        new='str(snapshot.get("DBInstanceIdentifier")).startswith(scope.names.db_instance)',
        tests=(SNAPSHOTS,),
        why="acme's offboarding deletes acme-corp's snapshots (tenantkit-acme is a prefix of tenantkit-acme-corp)",
    ),
    Mutant(
        name="sweep-no-vault-but-the-tenants-own",
        file=RESOURCES,
        old="*((v, False) for v in _vaults(scope)), *((v, True) for v in _shared_vaults(scope, resources))",
        new="*((v, False) for v in _vaults(scope))",
        tests=(DEFAULT_VAULT,),
        why="a recovery point in the account's Default vault (or any other) survives",
    ),
    Mutant(
        name="sweep-shared-vault-emptied-whole",
        file=RESOURCES,
        old='only = json.loads(target.extra["resources"]) if "resources" in target.extra else None',
        new="only = None",
        tests=(DEFAULT_VAULT,),
        why="every recovery point of the account's Default vault is deleted, the neighbours' included",
    ),
    Mutant(
        name="sweep-tags-asked-in-the-zone-only",
        file=RESOURCES,
        old="return (*self.zone_regions, *sorted(set(self.account_regions) - set(self.zone_regions)))",
        new="return self.zone_regions",
        tests=(INCIDENT,),
        why="a resource tagged with the tenant outside its residency zone is neither destroyed nor reported",
    ),
    Mutant(
        name="sweep-incident-not-marked",
        file=RESOURCES,
        old='extra = {} if region in zone else {"incident": "residency"}',
        new="extra = {}",
        tests=(INCIDENT,),
        why="a copy outside the residency zone is destroyed silently: the report does not name the incident",
    ),
    Mutant(
        name="sweep-monitoring-streams-by-prefix",
        file=RESOURCES,
        old='if stream["logStreamName"] == resource_id:',
        new='if stream["logStreamName"].startswith(resource_id):',
        tests=(STREAMS,),
        why="a stream that is not the tenant instance's is deleted (and listed in its report)",
    ),
    Mutant(
        name="sweep-verification-without-exact-lookups",
        file=RUN,
        old="if target.kind in EXACT_CHECKS and EXACT_CHECKS[target.kind](scope, target):",
        new="if False:",
        tests=(EXACT,),
        why="a custom-resource Lambda's log group made again after the stacks are gone passes verification",
    ),
    Mutant(
        name="sweep-restore-testing-plan-left-to-the-stack",
        file=RESOURCES,
        old='    Kind("restore testing plan", _find_restore_testing_plans, _destroy_restore_testing_plan),\n',
        new="",
        tests=(RESTORES,),
        why="the restore testing plan is left to the stack, deleted after the data: until then it can restore the tenant's data into a new instance",
    ),
    Mutant(
        name="sweep-restore-testing-selections-kept",
        file=RESOURCES,
        old="    for selection in selections or []:\n        _gone(lambda s=selection: backup.delete_restore_testing_selection(",
        new="    for selection in []:\n        _gone(lambda s=selection: backup.delete_restore_testing_selection(",
        tests=(RESTORES,),
        why="AWS refuses to delete a restore testing plan with selections: the plan keeps restoring",
    ),
]
