"""The Condition element, pinned to the IAM User Guide's condition-operator and multivalued-key
examples: each operator family holds in one case and fails in another."""

from __future__ import annotations

import pytest

from tenantkit.policy import Request, evaluate
from tenantkit.policy.conditions import PolicyError, condition_holds, normalise_context

USER = "arn:aws:iam::111122223333:user/carlossalazar"


def holds(condition: dict, context: dict) -> bool:
    return condition_holds(condition, normalise_context(context))


STRING = [
    ({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}, {"aws:PrincipalTag/job-category": "iamuser-admin"}, True),
    ({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}, {"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"}, False),  # values case-sensitive
    ({"StringEquals": {"AWS:PRINCIPALTAG/JOB-CATEGORY": "iamuser-admin"}}, {"aws:PrincipalTag/job-category": "iamuser-admin"}, True),  # keys are not
    ({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}, {}, False),  # absent key: false
    ({"StringNotEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}, {}, True),  # ... negated: true
    ({"StringNotEquals": {"aws:PrincipalTag/job-category": ["a", "b"]}}, {"aws:PrincipalTag/job-category": "b"}, False),
    ({"StringNotEquals": {"aws:PrincipalTag/job-category": ["a", "b"]}}, {"aws:PrincipalTag/job-category": "c"}, True),
    ({"StringEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "IAMUser-Admin"}}, {"aws:PrincipalTag/job-category": "iamuser-admin"}, True),
    ({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "IAMUser-Admin"}}, {"aws:PrincipalTag/job-category": "iamuser-admin"}, False),
    ({"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}, {"s3:prefix": "home/carlossalazar/notes"}, True),
    ({"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}, {"s3:prefix": "home/other/notes"}, False),
    ({"StringNotLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "tmp/x"}, True),
    ({"StringNotLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}, False),
    ({"StringLike": {"aws:userid": "AIDA?X*"}}, {"aws:userid": "AIDAZXYZ"}, True),
    ({"StringLike": {"aws:userid": "AIDA?X*"}}, {"aws:userid": "AIDAYYZ"}, False),
]


@pytest.mark.parametrize(("condition", "context", "expected"), STRING)
def test_string_operators(condition, context, expected):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
    (the job-category and `home/${aws:username}/` examples; "If the key ... is not present in the
    request context, the values do not match ... If the policy condition requires that the key is
    not matched ... the condition is true"; keys case-insensitive, values case-sensitive)."""
    context = {"aws:username": "carlossalazar", **context}
    assert holds(condition, context) is expected


def test_principal_tag_variable_in_a_condition_value():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html (a tag
    of the principal as a variable: access only where the resource tag equals the principal's)."""
    condition = {"StringEquals": {"aws:ResourceTag/project": "${aws:PrincipalTag/project}"}}
    assert holds(condition, {"aws:PrincipalTag/project": "blue", "aws:ResourceTag/project": "blue"})
    assert not holds(condition, {"aws:PrincipalTag/project": "blue", "aws:ResourceTag/project": "red"})
    assert not holds(condition, {"aws:ResourceTag/project": ""})  # no principal tag: nothing to match
    assert holds({"StringEquals": {"aws:ResourceTag/project": "${aws:PrincipalTag/project, 'none'}"}}, {"aws:ResourceTag/project": "none"})
    assert holds({"StringLike": {"s3:prefix": "a${*}b"}}, {"s3:prefix": "a*b"})  # ${*} is a literal *
    assert not holds({"StringLike": {"s3:prefix": "a${*}b"}}, {"s3:prefix": "axxb"})


NUMERIC_DATE_BOOL_IP = [
    ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
    ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, False),
    ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
    ({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.5"}, True),
    ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, False),
    ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, True),
    ({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
    ({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:01Z"}}, {"aws:CurrentTime": "2019-12-31T23:59:59Z"}, True),
    ({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:01Z"}}, {"aws:CurrentTime": "2020-06-30T00:00:00Z"}, False),
    ({"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}, {"aws:TokenIssueTime": "1700000000"}, True),  # epoch seconds
    ({"DateEquals": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2020-01-01T00:00:00+00:00"}, True),
    ({"DateNotEquals": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, False),
    ({"DateLessThanEquals": {"aws:CurrentTime": "2020-01-01"}}, {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, True),
    ({"DateGreaterThanEquals": {"aws:CurrentTime": "2020-01-02"}}, {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, False),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"}, True),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "true"}, False),
    ({"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": "FALSE"}, True),  # JSON booleans, any case
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, True),
    ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}, {"aws:SourceIp": "2001:db8:1234:5678::1"}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.7"}, False),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.7"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, False),
    ({"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, True),
    ({"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"key": "b3RoZXI="}, False),
]


@pytest.mark.parametrize(("condition", "context", "expected"), NUMERIC_DATE_BOOL_IP)
def test_numeric_date_bool_binary_and_ip_operators(condition, context, expected):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    (#Conditions_Numeric with s3:max-keys, #Conditions_Date with aws:CurrentTime and epoch values,
    #Conditions_Boolean with aws:SecureTransport, #Conditions_BinaryEquals, #Conditions_IPAddress
    with the 203.0.113.0/24 and 2001:DB8:1234:5678::/64 examples)."""
    assert holds(condition, context) is expected


ARN = [
    ({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}}, {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:alerts"}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:999999999999:alerts"}, False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/tenantkit/acme/*"}}, {"aws:PrincipalArn": "arn:aws:iam::1:role/tenantkit/acme/app"}, True),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/tenantkit/acme/*"}}, {"aws:PrincipalArn": "arn:aws:iam::1:role/tenantkit/acme-primary/app"}, False),  # exact ownership
    ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": "not-an-arn"}, False),
    ({"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:a"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:b"}, True),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/tenantkit/acme/*"}}, {"aws:PrincipalArn": "arn:aws:iam::1:role/tenantkit/acme/app"}, False),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/tenantkit/acme/*"}}, {}, True),
    ({"ArnEquals": {"aws:SourceArn": "arn:aws:SNS:us-east-1:123456789012:a"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:a"}, False),  # case-sensitive
]


@pytest.mark.parametrize(("condition", "context", "expected"), ARN)
def test_arn_operators(condition, context, expected):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    ("Case-sensitive matching of the ARN. Each of the six colon-delimited components of the ARN
    is checked separately and each can include multi-character match wildcards (*) or
    single-character match wildcards (?)")."""
    assert holds(condition, context) is expected


IF_EXISTS_AND_NULL = [
    # the page's example: StringLikeIfExists ec2:InstanceType t1.*, t2.*, m3.*
    ({"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}, {"ec2:InstanceType": "t2.micro"}, True),
    ({"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}, {"ec2:InstanceType": "m5.large"}, False),
    ({"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}, {}, True),  # no key in the request: true
    ({"StringLike": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}, {}, False),
    ({"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}, {}, True),
    ({"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}, {"s3:x-amz-server-side-encryption": "AES256"}, True),
    ({"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}, {"s3:x-amz-server-side-encryption": "aws:kms"}, False),
    ({"NumericLessThanIfExists": {"s3:max-keys": "10"}}, {}, True),
    ({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*:1:*"}}, {"aws:SourceArn": "arn:aws:sns:x:2:y"}, False),
    # the Null example: aws:TokenIssueTime is present only with temporary credentials
    ({"Null": {"aws:TokenIssueTime": "true"}}, {}, True),
    ({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}, False),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}, True),
    ({"Null": {"aws:TokenIssueTime": "false"}}, {}, False),
    ({"Null": {"aws:TagKeys": "false"}}, {"aws:TagKeys": []}, False),  # an empty multivalued key counts as absent
]


@pytest.mark.parametrize(("condition", "context", "expected"), IF_EXISTS_AND_NULL)
def test_if_exists_and_null(condition, context, expected):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
    ("If the policy key is present in the context of the request, process the key as specified
    in the policy. If the key is not present, evaluate the condition element as true") and
    #Conditions_Null (the aws:TokenIssueTime example)."""
    assert holds(condition, context) is expected


MULTIVALUED = [
    # ForAllValues: every request value in the policy's set; an absent or empty key: true
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["environment"]}, True),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["environment", "owner"]}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {}, True),
    # ForAnyValue: at least one request value in the set; an absent key: false
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["owner", "environment"]}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {"aws:TagKeys": ["owner"]}, False),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}}, {}, False),
    # negated with a set operator: each request value is tested on its own
    ({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["tenantkit:tenant"]}}, {"aws:TagKeys": ["a", "b"]}, True),
    ({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["tenantkit:tenant"]}}, {"aws:TagKeys": ["a", "tenantkit:tenant"]}, False),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["tenantkit:tenant"]}}, {"aws:TagKeys": ["tenantkit:tenant"]}, False),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["tenantkit:tenant"]}}, {"aws:TagKeys": ["tenantkit:tenant", "x"]}, True),
    ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}},
     {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"]}, True),
]


@pytest.mark.parametrize(("condition", "context", "expected"), MULTIVALUED)
def test_multivalued_keys(condition, context, expected):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    (ForAllValues "returns true if every value in the request matches at least one value in the
    policy ... also returns true if there are no context keys in the request"; ForAnyValue
    "returns true if at least one ... matches"; the aws:TagKeys and aws:PrincipalOrgPaths examples)."""
    assert holds(condition, context) is expected


def test_operators_and_keys_are_anded_and_values_ored():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"""
    condition = {"StringEquals": {"aws:PrincipalTag/team": ["blue", "red"], "aws:PrincipalTag/role": "dev"}, "Bool": {"aws:SecureTransport": "true"}}
    base = {"aws:PrincipalTag/team": "red", "aws:PrincipalTag/role": "dev", "aws:SecureTransport": "true"}
    assert holds(condition, base)
    for key, value in (("aws:PrincipalTag/team", "green"), ("aws:PrincipalTag/role", "ops"), ("aws:SecureTransport", "false")):
        assert not holds(condition, {**base, key: value})


def test_condition_decides_through_evaluate():
    """A statement applies only where its condition holds; a Deny conditioned on TLS refuses plain HTTP."""
    identity = {"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "TlsOnly", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]}
    over_tls = Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": "true"})
    plain = Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SecureTransport": "false"})
    assert evaluate(over_tls, identity_policies=[identity]).allowed
    assert evaluate(plain, identity_policies=[identity]).reason == "explicit deny: identity policy 0 statement 'TlsOnly'"


def test_defaults_from_the_principal_fill_the_context():
    """aws:PrincipalArn, aws:PrincipalAccount and aws:username are set as AWS sets them
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html);
    a session's aws:PrincipalArn is its role's ARN."""
    session = "arn:aws:sts::111122223333:assumed-role/app/s1"
    role = "arn:aws:iam::111122223333:role/tenantkit/acme/app"
    identity = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/tenantkit/acme/*"}}}]}
    assert evaluate(Request(session, "s3:GetObject", "arn:aws:s3:::b/k", {"aws:PrincipalArn": role}), identity_policies=[identity]).allowed
    assert not evaluate(Request(session, "s3:GetObject", "arn:aws:s3:::b/k"), identity_policies=[identity]).allowed  # path unknown: "/"
    by_name = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "carlossalazar", "aws:PrincipalAccount": "111122223333"}}}]}
    assert evaluate(Request(USER, "iam:GetUser", USER), identity_policies=[by_name]).allowed
    assert not evaluate(Request("arn:aws:iam::111122223333:user/other", "iam:GetUser", USER), identity_policies=[by_name]).allowed


@pytest.mark.parametrize("condition", [
    {"StringFuzzy": {"k": "v"}},
    {"ForSomeValues:StringEquals": {"k": "v"}},
    {"NullIfExists": {"k": "true"}},
    {"NumericEquals": {"k": "ten"}},
    {"DateEquals": {"k": "yesterday"}},
])
def test_malformed_conditions_raise(condition):
    with pytest.raises(PolicyError):
        holds(condition, {"k": "1"})
