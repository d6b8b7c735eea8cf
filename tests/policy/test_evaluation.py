"""The evaluation order, principals, actions and resources, pinned to AWS's documented examples.
Each table names the page it follows; every branch of `tenantkit.policy.evaluate` has a case
that allows and one that refuses."""

from __future__ import annotations

import json

import pytest

from tenantkit.policy import Request, evaluate
from tenantkit.policy.conditions import PolicyError

ACCOUNT = "111122223333"
OTHER = "444455556666"
CARLOS = f"arn:aws:iam::{ACCOUNT}:user/carlossalazar"
LOGS = "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs"


def statement(effect: str, action: object, resource: object = "*", **extra: object) -> dict:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# --- within one account ----------------------------------------------------------------------

CARLOS_IDENTITY = policy(
    {"Sid": "AllowS3ListRead", "Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListAllMyBuckets"], "Resource": "*"},
    {"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*", "Resource": [f"{LOGS}/*", LOGS]},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"},
)
CARLOS_BUCKET = policy({"Sid": "AllowCarlos", "Effect": "Allow", "Principal": {"AWS": CARLOS}, "Action": "s3:*", "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*"]})

SINGLE_ACCOUNT = [
    # (principal, action, resource, identity, resource policy, allowed, deciding statement)
    (CARLOS, "s3:PutObject", f"{LOGS}/file", [CARLOS_IDENTITY], None, False, "'DenyS3Logs'"),  # the page's example: deny wins
    (CARLOS, "s3:ListAllMyBuckets", "*", [CARLOS_IDENTITY], None, True, "'AllowS3ListRead'"),
    (CARLOS, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/f", [], CARLOS_BUCKET, True, "'AllowCarlos'"),  # resource policy alone
    (CARLOS, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-other/f", [CARLOS_IDENTITY], CARLOS_BUCKET, False, "no statement allows"),
    (CARLOS, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/f", [], None, False, "no statement allows"),  # implicit deny
]


@pytest.mark.parametrize(("principal", "action", "resource", "identity", "resource_policy", "allowed", "reason"), SINGLE_ACCOUNT)
def test_single_account(principal, action, resource, identity, resource_policy, allowed, reason):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
    ("If either the identity-based policy or the resource-based policy within the same account
    allows the request and the other doesn't, the request is still allowed"; an explicit deny in
    any of them overrides it)."""
    decision = evaluate(Request(principal, action, resource), identity_policies=identity, resource_policy=resource_policy)
    assert (decision.allowed, reason in decision.reason) == (allowed, True), decision.reason


def test_deny_in_the_resource_policy_overrides_an_identity_allow():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    ("An explicit deny overrides an explicit allow", in whichever policy it is)."""
    admin = policy(statement("Allow", "*"))
    bucket = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"{LOGS}/*"})
    request = Request(CARLOS, "s3:DeleteObject", f"{LOGS}/x")
    decision = evaluate(request, identity_policies=[admin], resource_policy=bucket)
    assert not decision.allowed and decision.reason == "explicit deny: resource policy statement #0"
    assert evaluate(request, identity_policies=[admin]).allowed


# --- across accounts -------------------------------------------------------------------------

ROLE_B = f"arn:aws:iam::{OTHER}:role/reader"
SESSION_B = f"arn:aws:sts::{OTHER}:assumed-role/reader/carlos"
BUCKET_A = "arn:aws:s3:::amzn-s3-demo-bucket-a"
READ_A = policy(statement("Allow", "s3:GetObject", f"{BUCKET_A}/*"))
CROSS_ACCOUNT = [
    # (identity, resource policy, allowed)
    ([READ_A], policy({"Effect": "Allow", "Principal": {"AWS": ROLE_B}, "Action": "s3:GetObject", "Resource": f"{BUCKET_A}/*"}), True),
    ([READ_A], policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:GetObject", "Resource": f"{BUCKET_A}/*"}), True),
    ([READ_A], None, False),  # the resource side does not trust account B
    ([], policy({"Effect": "Allow", "Principal": {"AWS": ROLE_B}, "Action": "s3:GetObject", "Resource": f"{BUCKET_A}/*"}), False),  # B's side allows nothing
    ([READ_A], policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:role/writer"}, "Action": "s3:GetObject", "Resource": f"{BUCKET_A}/*"}), False),
]


@pytest.mark.parametrize(("identity", "resource_policy", "allowed"), CROSS_ACCOUNT)
def test_cross_account_needs_both_sides(identity, resource_policy, allowed):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    (the identity-based policy in the trusted account AND the resource-based policy in the
    trusting account must both allow; a session of a role is named by the role's ARN)."""
    request = Request(SESSION_B, "s3:GetObject", f"{BUCKET_A}/k", {"aws:PrincipalArn": ROLE_B})
    decision = evaluate(request, identity_policies=identity, resource_policy=resource_policy, resource_account=ACCOUNT)
    assert decision.allowed is allowed, decision.reason


# --- KMS: the key policy must allow ----------------------------------------------------------

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENABLE_IAM = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
KEY_USER = f"arn:aws:iam::{ACCOUNT}:role/ExampleKeyUserRole"
ALLOW_KEY_USER = {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": KEY_USER}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}
IAM_DECRYPT = policy(statement("Allow", "kms:Decrypt", KEY))
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"
KMS_TABLE = [
    # (principal, identity, key policy, allowed, reason fragment)
    (OTHER_ROLE, [IAM_DECRYPT], policy(ENABLE_IAM), True, "delegates to IAM"),  # the default key policy
    (OTHER_ROLE, [], policy(ENABLE_IAM), False, "the key policy does not allow"),  # root statement alone grants nothing
    (KEY_USER, [], policy(ALLOW_KEY_USER), True, "'Allow use of the key'"),  # named in the key policy
    (OTHER_ROLE, [IAM_DECRYPT], policy(ALLOW_KEY_USER), False, "alone does not suffice"),  # no root statement: IAM cannot grant
    (OTHER_ROLE, [IAM_DECRYPT], None, False, "the key policy does not allow"),
]


@pytest.mark.parametrize(("principal", "identity", "key_policy", "allowed", "reason"), KMS_TABLE)
def test_kms_key_policy_must_allow(principal, identity, key_policy, allowed, reason):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html ("Allows
    access to the AWS account and enables IAM policies": without that statement IAM policies are
    ineffective; with it, an IAM policy is still needed) and
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html ("Unless the key policy
    explicitly allows it, you cannot use IAM policies to allow access to a KMS key")."""
    decision = evaluate(Request(principal, "kms:Decrypt", KEY), identity_policies=identity, resource_policy=key_policy)
    assert decision.allowed is allowed and reason in decision.reason, decision.reason


def test_kms_cross_account_key_user_also_needs_its_own_iam_policy():
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    (the key policy names the external account, and an IAM policy there delegates to its users)."""
    external = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "kms:Decrypt", "Resource": "*"})
    request = Request(ROLE_B, "kms:Decrypt", KEY)
    assert evaluate(request, identity_policies=[IAM_DECRYPT], resource_policy=external).allowed
    assert not evaluate(request, resource_policy=external).allowed
    named = policy({"Effect": "Allow", "Principal": {"AWS": ROLE_B}, "Action": "kms:Decrypt", "Resource": "*"})
    assert evaluate(request, identity_policies=[IAM_DECRYPT], resource_policy=named).allowed
    assert not evaluate(request, resource_policy=named).allowed  # named by the key, but its own account allows nothing


def test_a_service_principal_is_decided_by_the_resource_policy_alone():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services
    (a service acts on what a resource policy grants its service principal; identity policies
    belong to IAM identities)."""
    vault = policy({"Sid": "BackupMayCopy", "Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "backup:CopyIntoBackupVault", "Resource": "*"})
    vault_arn = f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:v"
    decision = evaluate(Request("backup.amazonaws.com", "backup:CopyIntoBackupVault", vault_arn), resource_policy=vault, identity_policies=[policy(statement("Deny", "*"))])
    assert decision.allowed and decision.reason == "allowed by resource policy statement 'BackupMayCopy'"
    assert not evaluate(Request("backup.amazonaws.com", "backup:DeleteRecoveryPoint", vault_arn), resource_policy=vault).allowed


# --- Principal and NotPrincipal --------------------------------------------------------------

PRINCIPALS = [
    # (Principal element, requester, allowed)
    ("*", CARLOS, True),
    ({"AWS": "*"}, CARLOS, True),
    ({"AWS": CARLOS}, CARLOS, True),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone-else"}, CARLOS, False),
    ({"AWS": [f"arn:aws:iam::{ACCOUNT}:role/reader"]}, f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1", True),  # a role names its sessions
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/writer"}, f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1", False),
    ({"Service": "backup.amazonaws.com"}, "backup.amazonaws.com", True),
    ({"Service": "backup.amazonaws.com"}, "s3.amazonaws.com", False),
]


@pytest.mark.parametrize(("element", "requester", "allowed"), PRINCIPALS)
def test_principal_element(element, requester, allowed):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    (everyone; AWS account principals; IAM users; IAM roles and role sessions; service principals).
    A resource policy alone grants here: the request and the resource are in one account."""
    resource_policy = policy({"Effect": "Allow", "Principal": element, "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    request = Request(requester, "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf")
    assert evaluate(request, resource_policy=resource_policy).allowed is allowed


def test_an_account_principal_delegates_to_iam_and_does_not_grant_alone():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    ("When you use an AWS account identifier as the principal in a policy, you delegate authority
    to the account. All identities inside the account can access the resource if they have the
    appropriate IAM permissions attached")."""
    for principal in (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT):
        resource_policy = policy({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "secretsmanager:*", "Resource": "*"})
        request = Request(CARLOS, "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:x")
        assert not evaluate(request, resource_policy=resource_policy).allowed
        assert evaluate(request, resource_policy=resource_policy, identity_policies=[policy(statement("Allow", "secretsmanager:GetSecretValue"))]).allowed
        deny = policy({"Effect": "Deny", "Principal": {"AWS": principal}, "Action": "secretsmanager:*", "Resource": "*"})
        assert not evaluate(request, resource_policy=deny, identity_policies=[policy(statement("Allow", "*"))]).allowed  # a deny to the account reaches all of it


NOT_PRINCIPAL = [
    # (NotPrincipal, requester, denied)
    ({"AWS": [CARLOS, f"arn:aws:iam::{ACCOUNT}:root"]}, CARLOS, False),  # the user and its account: excluded
    ({"AWS": [CARLOS]}, CARLOS, True),  # without the account, the account is denied, and the user with it
    ({"AWS": [CARLOS, f"arn:aws:iam::{ACCOUNT}:root"]}, f"arn:aws:iam::{ACCOUNT}:user/other", True),
    ({"AWS": [f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1", f"arn:aws:iam::{ACCOUNT}:root"]}, f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1", False),
    ({"AWS": [f"arn:aws:iam::{ACCOUNT}:role/reader", f"arn:aws:iam::{ACCOUNT}:root"]}, f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1", True),  # role ARN: sessions not excluded
    ({"Service": "logging.s3.amazonaws.com"}, "logging.s3.amazonaws.com", False),
]


@pytest.mark.parametrize(("element", "requester", "denied"), NOT_PRINCIPAL)
def test_not_principal_with_deny(element, requester, denied):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    ("Specify the ARN of the account containing the IAM user ... as well as the user"; for role
    sessions, the assumed-role session ARN, since "the role ARN ... does not" exclude its sessions)."""
    bucket = policy(
        {"Effect": "Deny", "NotPrincipal": element, "Action": "s3:*", "Resource": [LOGS, f"{LOGS}/*"]},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{LOGS}/*"},
    )
    decision = evaluate(Request(requester, "s3:GetObject", f"{LOGS}/x"), resource_policy=bucket)
    assert decision.allowed is not denied, decision.reason


# --- Action / NotAction, Resource / NotResource ----------------------------------------------

ACTIONS = [
    ({"Action": "s3:Get*"}, "s3:GetObject", True),
    ({"Action": "S3:getobject"}, "s3:GetObject", True),  # action names are case-insensitive
    ({"Action": "s3:Get*"}, "s3:PutObject", False),
    ({"Action": "s3:?etObject"}, "s3:GetObject", True),
    ({"NotAction": "iam:*"}, "s3:GetObject", True),
    ({"NotAction": ["iam:*", "s3:*"]}, "s3:GetObject", False),
]


@pytest.mark.parametrize(("element", "action", "allowed"), ACTIONS)
def test_action_and_not_action(element, action, allowed):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html and
    .../reference_policies_elements_notaction.html ("Action names are not case-sensitive";
    wildcards `*` and `?`; NotAction matches everything except the list)."""
    identity = policy({"Effect": "Allow", "Resource": "*", **element})
    assert evaluate(Request(CARLOS, action, f"{LOGS}/x"), identity_policies=[identity]).allowed is allowed


RESOURCES = [
    ({"Resource": f"{LOGS}/*"}, f"{LOGS}/a/b/c", True),  # `*` spans slashes
    ({"Resource": f"{LOGS}/*"}, LOGS, False),
    ({"Resource": "arn:aws:s3:::AMZN-S3-DEMO-BUCKET-CARLOSSALAZAR-LOGS/*"}, f"{LOGS}/a", False),  # resources are case-sensitive
    ({"Resource": f"arn:aws:iam::{ACCOUNT}:user/*"}, CARLOS, True),
    ({"Resource": "arn:aws:iam::*:user/carlossalazar"}, CARLOS, True),
    ({"Resource": f"arn:aws:iam::{OTHER}:user/*"}, CARLOS, False),
    ({"Resource": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}, CARLOS, True),  # policy variables
    ({"Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:PrincipalTag/team}}"}, CARLOS, False),  # a variable without value matches nothing
    ({"NotResource": f"arn:aws:iam::{ACCOUNT}:user/*"}, CARLOS, False),
    ({"NotResource": f"arn:aws:iam::{ACCOUNT}:role/*"}, CARLOS, True),
]


@pytest.mark.parametrize(("element", "resource", "allowed"), RESOURCES)
def test_resource_and_not_resource(element, resource, allowed):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    (wildcards in any ARN segment but the service, case-sensitive), .../reference_policies_variables.html
    ("If there is no value ... the request is denied" for an unresolved variable), and
    .../reference_policies_elements_notresource.html."""
    identity = policy({"Effect": "Allow", "Action": "*", **element})
    assert evaluate(Request(CARLOS, "iam:GetUser", resource), identity_policies=[identity]).allowed is allowed


def test_reason_names_the_statement_by_sid_or_index():
    identity = policy(statement("Deny", "s3:*"), {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"})
    assert evaluate(Request(CARLOS, "iam:GetUser", CARLOS), identity_policies=[json.dumps(identity)]).reason == "allowed by identity policy 0 statement 'Everything'"
    assert evaluate(Request(CARLOS, "s3:GetObject", LOGS), identity_policies=[identity]).reason == "explicit deny: identity policy 0 statement #0"


def test_a_policy_aws_would_refuse_raises():
    with pytest.raises(PolicyError, match="Effect"):
        evaluate(Request(CARLOS, "s3:GetObject", LOGS), identity_policies=[policy(statement("Permit", "*"))])
    with pytest.raises(PolicyError, match="StringFuzzy"):
        evaluate(Request(CARLOS, "s3:GetObject", LOGS), identity_policies=[policy(statement("Allow", "*", Condition={"StringFuzzy": {"aws:username": "x"}}))])


def test_an_anonymous_request_is_allowed_only_by_everyone():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
    ("Principal": "*" includes anonymous users; an account principal does not)."""
    request = Request("anonymous", "s3:GetObject", f"{LOGS}/public")
    everyone = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{LOGS}/*"})
    account = policy({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "s3:GetObject", "Resource": f"{LOGS}/*"})
    assert evaluate(request, resource_policy=everyone).allowed
    assert not evaluate(request, resource_policy=account).allowed
