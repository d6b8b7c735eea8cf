"""tenantkit's extensions to moto (5.2.5), so that the tenant stacks deploy into the sandbox as
synthesized.

`install()` registers CloudFormation models for the types moto skips (through moto's own
extension point: direct subclasses of `CloudFormationModel`, backed by moto's service
backends, so the service APIs see what a stack created), fixes the moto defects each module
names, and replaces CDK's Custom::VpcRestrictDefaultSG Lambda with a native stand-in. It is
idempotent, and used by the sandbox server (`tenantkit.sandbox.serve`) and, in-process, by tests
under `moto.mock_aws`. Each module's docstring names the moto version and defect it covers;
`tests/sandbox/test_extensions.py` holds, for each, a test that fails once moto fixes it.
"""

from __future__ import annotations

import importlib

MODEL_MODULES = ("waf", "backup", "restore_testing", "s3", "sns", "sqs", "cloudwatch", "secretsmanager", "ec2", "custom_resources", "policies", "cloudtrail")
PATCH_MODULES = ("account", "iam_lock", "waf", "backup_jobs", "restore_testing", "s3", "s3_replication", "kms", "clock", "logs", "ssm", "rds", "rds_parameters", "sns_confirmation", "rds_restore", "failover", "dynamic_references", "custom_resources", "cloudformation", "drift", "policies", "cloudtrail_events")


def install() -> None:
    """Register every extension with moto (imports moto; safe to call more than once). Refuses
    (SandboxError) a moto other than `MOTO_VERSION`: the extensions wrap its private methods."""
    from tenantkit.sandbox.process import require_supported_moto

    require_supported_moto()
    from moto.cloudformation import parsing

    for name in MODEL_MODULES:  # defining the classes registers them with moto's model map
        importlib.import_module(f"{__name__}.{name}")
    for name in PATCH_MODULES:
        importlib.import_module(f"{__name__}.{name}").patch()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()  # a map built before install() would not know the new models
