"""Mutants of offboarding's exact ownership and of WAF discovery: a prefix match reintroduced
(names, log groups, the custom-resource Lambdas' log groups), the tenant-id rule weakened, a WAF
resource type or page no longer read, an association left in place, the Lambdas' log groups
destroyed before their stacks or not at all."""

from __future__ import annotations

from bench.mutants import Mutant

RESOURCES = "tenantkit/lifecycle/offboarding/resources.py"
NAMING = "tenantkit/naming.py"
MODELS = "tenantkit/config/models.py"

_OWNERSHIP = "tests/lifecycle/test_offboarding_ownership.py"
NEIGHBOURS = f"{_OWNERSHIP}::test_offboarding_acme_leaves_every_neighbour_untouched_and_out_of_its_report"
TRUNCATED = f"{_OWNERSHIP}::test_custom_resource_log_groups_are_found_under_truncated_generated_names"
_WAF = "tests/lifecycle/test_offboarding_waf.py"
WAF_PAGES = f"{_WAF}::test_the_tenants_web_acl_and_ip_sets_are_found_past_the_first_page"
WAF_EVERY_TYPE = f"{_WAF}::test_associations_of_every_type_at_once_are_counted_and_removed"


def _waf_type(resource_type: str) -> str:
    return f"{_WAF}::test_an_association_of_each_resource_type_is_removed_before_the_web_acl_is_deleted[{resource_type}]"


def _tenant_id_rejected(tenant_id: str) -> str:
    return f"tests/config/test_models.py::test_invalid_value_is_rejected_at_its_field[tenant_id={tenant_id}]"


MUTANTS: list[Mutant] = [
    Mutant(
        name="lambda-log-groups-by-stack-name-prefix",
        file=RESOURCES,
        old="        for path in scope.names.log_group_paths:\n",
        new='        for path in (*scope.names.log_group_paths, *(f"/aws/lambda/{stack}-" for stack in scope.names.stacks)):\n',
        tests=(NEIGHBOURS,),
        why="`/aws/lambda/tenant-acme-primary-` also begins acme-primary-x's custom-resource log groups: another tenant's logs deleted",
    ),
    Mutant(
        name="function-log-groups-by-prefix-not-stack-membership",
        file=RESOURCES,
        old=(
            '    for region, function in _stack_resources(scope, "AWS::Lambda::Function"):\n'
            '        group = _log_group(scope.client("logs", region), TenantNames.function_log_group(function))\n'
            "        if group is not None:\n"
        ),
        new=(
            "    for stack, region in _stacks(scope):\n"
            '        for group in pages(scope.client("logs", region), "describe_log_groups", "logGroups", logGroupNamePrefix=TenantNames.function_log_group(f"{stack}-")):\n'
        ),
        tests=(NEIGHBOURS, TRUNCATED),
        why="a prefix takes a longer tenant id's log groups and misses the tenant's own when CloudFormation truncated the generated name",
    ),
    Mutant(
        name="log-group-path-without-its-separator",
        file=NAMING,
        old='            f"/tenantkit/{self.tenant_id}/",\n',
        new='            f"/tenantkit/{self.tenant_id}",\n',
        tests=(NEIGHBOURS,),
        why="`/tenantkit/acme` begins `/tenantkit/acme-corp/vpc-flow-logs`: the neighbour's flow logs deleted",
    ),
    Mutant(
        name="web-acl-by-name-prefix",
        file=RESOURCES,
        old='            if acl["Name"] == scope.names.web_acl:\n',
        new='            if acl["Name"].startswith(scope.names.web_acl):\n',
        tests=(NEIGHBOURS,),
        why="`tenantkit-acme` begins `tenantkit-acme-corp`: the neighbour's firewall deleted",
    ),
    Mutant(
        name="ip-sets-by-name-prefix",
        file=RESOURCES,
        old='            if ip_set["Name"] in wanted:\n',
        new='            if ip_set["Name"].startswith(scope.names.web_acl):\n',
        tests=(NEIGHBOURS,),
        why="`tenantkit-acme` begins the neighbours' IP sets: their allow-lists deleted",
    ),
    Mutant(
        name="reserved-word-checked-last-word-only",
        file=MODELS,
        old='    reserved = [word for word in value.split("-") if word in NAME_WORDS]\n',
        new='    reserved = [word for word in value.split("-")[-1:] if word in NAME_WORDS]\n',
        tests=(_tenant_id_rejected("acme-primary-x"), _tenant_id_rejected("primary-acme")),
        why="`acme-primary-x` validates again, and its stacks begin with acme's `tenant-acme-primary-`",
    ),
    Mutant(
        name="an-appended-word-not-reserved",
        file=NAMING,
        old='    "dr", "primary", "replica", "data", "logs", "backups", "incidents", "ipv4", "ipv6", "hourly", "restores",\n',
        new='    "dr", "primary", "replica", "data", "logs", "incidents", "ipv4", "ipv6", "hourly", "restores",\n',
        tests=("tests/stacks/test_naming.py::test_every_word_appended_to_a_tenant_id_is_in_name_words", _tenant_id_rejected("acme-backups-x")),
        why="`acme-backups` would own `tenantkit-acme-backups`, tenant acme's backup plan",
    ),
    Mutant(
        name="waf-association-type-not-asked",
        file=RESOURCES,
        old='    "APPLICATION_LOAD_BALANCER", "API_GATEWAY", "APPSYNC", "COGNITO_USER_POOL",',
        new='    "APPLICATION_LOAD_BALANCER", "API_GATEWAY", "COGNITO_USER_POOL",',
        tests=(_waf_type("APPSYNC"), WAF_EVERY_TYPE),
        why="an AppSync API associated through the SSM parameter is missed, and blocks the web ACL's deletion",
    ),
    Mutant(
        name="waf-associations-without-resource-type",
        file=RESOURCES,
        old="waf.list_resources_for_web_acl(WebACLArn=acl_arn, ResourceType=t)",
        new="waf.list_resources_for_web_acl(WebACLArn=acl_arn)",
        tests=(_waf_type("API_GATEWAY"), _waf_type("COGNITO_USER_POOL"), WAF_EVERY_TYPE),
        why="without a ResourceType WAF answers for load balancers only",
    ),
    Mutant(
        name="waf-web-acls-read-as-one-page",
        file=RESOURCES,
        old='pages(waf, "list_web_acls", "WebACLs", Scope="REGIONAL")',
        new='waf.list_web_acls(Scope="REGIONAL")["WebACLs"]',
        tests=(WAF_PAGES,),
        why="with 100 other web ACLs in the region the tenant's is on the second page: never destroyed",
    ),
    Mutant(
        name="waf-ip-sets-read-as-one-page",
        file=RESOURCES,
        old='pages(waf, "list_ip_sets", "IPSets", Scope="REGIONAL")',
        new='waf.list_ip_sets(Scope="REGIONAL")["IPSets"]',
        tests=(WAF_PAGES,),
        why="with 100 other IP sets the tenant's allow-list is on the second page: never destroyed",
    ),
    Mutant(
        name="web-acl-deleted-while-associated",
        file=RESOURCES,
        old="        _gone(lambda r=resource: waf.disassociate_web_acl(ResourceArn=r))\n",
        new="        pass\n",
        tests=(_waf_type("APPLICATION_LOAD_BALANCER"), _waf_type("APPSYNC"), WAF_EVERY_TYPE),
        why="WAF refuses to delete an associated web ACL: offboarding stops half-way",
    ),
    Mutant(
        name="function-log-groups-destroyed-before-the-stacks",
        file=RESOURCES,
        old=(
            '    Kind("stack", _find_stacks, _destroy_stack),\n'
            "    # what an extension's resources may leave after their stack (its declared finder and destroyer)\n"
            '    Kind(extensions.KIND, lambda scope: extensions.find_extension_resources(scope), lambda scope, target, progress: extensions.destroy_extension_resource(scope, target, progress)),\n'
            '    Kind("function log group", _find_function_log_groups, _destroy_log_group),\n'
        ),
        new=(
            '    Kind("function log group", _find_function_log_groups, _destroy_log_group),\n'
            '    Kind("stack", _find_stacks, _destroy_stack),\n'
            "    # what an extension's resources may leave after their stack (its declared finder and destroyer)\n"
            '    Kind(extensions.KIND, lambda scope: extensions.find_extension_resources(scope), lambda scope, target, progress: extensions.destroy_extension_resource(scope, target, progress)),\n'
        ),
        tests=(NEIGHBOURS,),
        why="deleting a stack invokes its custom resources once more: their logs re-create the group deleted before",
    ),
    Mutant(
        name="log-groups-the-stacks-declare-ignored",
        file=RESOURCES,
        old="        for name in (scope.names.waf_log_group, *(name for where, name in declared if where == region)):\n",
        new="        for name in (scope.names.waf_log_group,):\n",
        tests=(NEIGHBOURS,),
        why="a log group CloudFormation named (no name of naming.py's) is found only through the stack: it would be left behind",
    ),
    Mutant(
        name="function-log-groups-forgotten",
        file=RESOURCES,
        old='    Kind("function log group", _find_function_log_groups, _destroy_log_group),\n',
        new="",
        tests=(NEIGHBOURS, TRUNCATED),
        why="the custom-resource Lambdas' logs outlive the tenant",
    ),
]
