"""Deploy-time constraint rules: AWS constraints that cfn-lint does not check, one module each.

Each rule cites the AWS documentation for its constraint in its docstring. They are not in
`RULES` yet: they join it once the tenant stacks comply.
"""

from tenantkit.compliance.backup_start_window import backup_start_windows_are_an_hour_or_more
from tenantkit.compliance.key_policy_keeps_deployer import (
    key_policies_keep_deployer_and_let_services_in,
)
from tenantkit.compliance.read_replica_properties import replicas_set_only_their_own_properties
from tenantkit.compliance.read_replica_source import replica_sources_allow_replicas
from tenantkit.compliance.restore_testing_names import restore_testing_names_are_valid
from tenantkit.compliance.retain_except_on_create import retained_resources_retain_except_on_create
from tenantkit.compliance.s3_replica_key import s3_replication_names_key_arns
from tenantkit.compliance.secret_name_and_attachment import (
    secrets_are_named_attached_and_replicated_validly,
)
from tenantkit.compliance.waf_association_targets import waf_associations_join_this_region
from tenantkit.compliance.waf_logging_destination import waf_logs_go_to_valid_log_groups

DEPLOY_RULES = (
    replica_sources_allow_replicas,
    replicas_set_only_their_own_properties,
    retained_resources_retain_except_on_create,
    waf_logs_go_to_valid_log_groups,
    s3_replication_names_key_arns,
    secrets_are_named_attached_and_replicated_validly,
    key_policies_keep_deployer_and_let_services_in,
    waf_associations_join_this_region,
    restore_testing_names_are_valid,
    backup_start_windows_are_an_hour_or_more,
)
