"""AWS::WAFv2::IPSet, WebACL, LoggingConfiguration and WebACLAssociation, in moto's WAFv2 backend.

moto 5.2.5 defects: its CloudFormation has no WAFv2 model; it skips these types with a warning,
reports CREATE_COMPLETE, resolves a Ref to them to None and fails any Fn::GetAtt on them. And its
API has no ListResourcesForWebACL (HTTP 500), which offboarding uses to find what a web ACL
protects: `patch()` adds it, answered from the associations moto's backend keeps, one resource
type at a time and load balancers only when the request names no type, as AWS does. moto also
deletes a web ACL that is still associated with a resource; AWS refuses it
(WAFAssociatedItemException), which is why offboarding disassociates first: `patch()` refuses it
too. moto likewise deletes an IP set that a web ACL's rules still reference, which AWS refuses
with the same exception: refused here too.

CloudFormation updates an IP set (Addresses, Description, Tags) and a web ACL (rules, actions,
Tags...) in place, keeping their ARN and Id; only a new Name, Scope or IPAddressVersion replaces
them (CloudFormation User Guide, AWS::WAFv2::IPSet and AWS::WAFv2::WebACL: "Update requires").
The models below do the same, so a changed allow-list updates the IP set the web ACL already
references, and an associated web ACL is never deleted by an update. A replaced IP set (a new
Name) goes as in CloudFormation's cleanup phase, after every resource is updated. What the sandbox
cannot do: moto re-resolves only resources whose own template text changed, so a web ACL that
references a replaced IP set keeps the old ARN, and that cleanup then fails (the IP set is still
referenced). tenantkit never renames an IP set (its name comes from the tenant id, `naming.py`).
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from moto.cloudformation.parsing import ResourceMap
from moto.core.common_models import CloudFormationModel
from moto.wafv2.exceptions import WAFNonexistentItemException, WAFv2ClientError
from moto.wafv2.models import WAFV2Backend, wafv2_backends
from moto.wafv2.responses import WAFV2Response

from tenantkit.aws import parse_arn
from tenantkit.sandbox.extensions._base import BackedModel, tag_list, wrap


def _backend(account_id: str, region_name: str) -> Any:
    return wafv2_backends[account_id][region_name]


def api_shape(value: Any) -> Any:
    """Rules in the API's shape: CloudFormation spells a reference statement's ARN `Arn`
    (IPSetReferenceStatement, RegexPatternSetReferenceStatement, RuleGroupReferenceStatement)."""
    if isinstance(value, list):
        return [api_shape(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: ({("ARN" if k == "Arn" else k): api_shape(v) for k, v in item.items()} if key.endswith("ReferenceStatement") else api_shape(item))
        for key, item in value.items()
    }


class _UpdatedInPlace(BackedModel):
    """A WAF resource CloudFormation updates in place, unless a property of its `identity`
    (those whose update "requires replacement") changes: then a new one is created, and the old
    one deleted once the whole stack is updated."""

    identity: dict[str, str]

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict, account_id: str, region_name: str
    ) -> Any:
        p = cloudformation_json.get("Properties", {})
        old = original_resource
        if any(p.get(key, value) != value for key, value in old.identity.items()):
            new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
            _after_update(lambda: old.delete(account_id, region_name))
            return new
        old.update_in_place(p, _backend(account_id, region_name))
        return old

    def update_in_place(self, p: dict[str, Any], backend: WAFV2Backend) -> None:
        raise NotImplementedError


class WafIPSet(_UpdatedInPlace, CloudFormationModel):
    TYPE = "AWS::WAFv2::IPSet"
    name: str
    scope: str
    ATTRIBUTES = frozenset({"Arn", "Id"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> WafIPSet:
        ip_set = _backend(account_id, region_name).create_ip_set(
            name=p.get("Name", resource_name),
            scope=p["Scope"],
            description=p.get("Description", ""),
            ip_address_version=p["IPAddressVersion"],
            addresses=p.get("Addresses", []),
            tags=p.get("Tags", []),
        )
        model = cls(f"{ip_set.name}|{ip_set.ip_set_id}|{p['Scope']}", {"Arn": ip_set.arn, "Id": ip_set.ip_set_id})
        model.name, model.scope = ip_set.name, p["Scope"]
        model.identity = {"Name": ip_set.name, "Scope": p["Scope"], "IPAddressVersion": p["IPAddressVersion"]}
        return model

    def update_in_place(self, p: dict[str, Any], backend: WAFV2Backend) -> None:
        ip_set = backend.ip_sets[self.attributes["Arn"]]
        backend.update_ip_set(self.name, self.scope, ip_set.ip_set_id, p.get("Description", ""), p.get("Addresses", []), ip_set.lock_token)
        _replace_tags(backend, ip_set.arn, p.get("Tags"))

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        ip_set = backend.ip_sets.get(self.attributes["Arn"])
        if ip_set is not None:
            backend.delete_ip_set(self.name, self.scope, ip_set.ip_set_id, ip_set.lock_token)


class WafWebACL(_UpdatedInPlace, CloudFormationModel):
    TYPE = "AWS::WAFv2::WebACL"
    name: str
    scope: str
    ATTRIBUTES = frozenset({"Arn", "Id", "Capacity", "LabelNamespace"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> WafWebACL:
        acl = _backend(account_id, region_name).create_web_acl(
            name=p.get("Name", resource_name),
            visibility_config=p["VisibilityConfig"],
            default_action=p["DefaultAction"],
            scope=p["Scope"],
            description=p.get("Description", ""),
            tags=p.get("Tags", []),
            rules=api_shape(p.get("Rules", [])),
            association_config=p.get("AssociationConfig"),
            captcha_config=p.get("CaptchaConfig"),
            challenge_config=p.get("ChallengeConfig"),
            custom_response_bodies=p.get("CustomResponseBodies"),
            token_domains=p.get("TokenDomains"),
        )
        attributes = {"Arn": acl.arn, "Id": acl.id, "Capacity": acl.capacity, "LabelNamespace": acl.label_namespace}
        model = cls(f"{acl.name}|{acl.id}|{p['Scope']}", attributes)
        model.name, model.scope = acl.name, p["Scope"]
        model.identity = {"Name": acl.name, "Scope": p["Scope"]}
        return model

    def update_in_place(self, p: dict[str, Any], backend: WAFV2Backend) -> None:
        acl = backend.wacls[self.attributes["Arn"]]
        backend.update_web_acl(
            self.name, acl.id, p["DefaultAction"], api_shape(p.get("Rules", [])), p.get("Description", ""),
            p["VisibilityConfig"], acl.lock_token, p.get("CustomResponseBodies"), p.get("CaptchaConfig"),
            p.get("ChallengeConfig"), p.get("TokenDomains"), p.get("AssociationConfig"),
        )
        if not p.get("Rules"):
            acl.rules = []  # moto's update keeps the old rules when given none
        self.attributes["Capacity"] = acl.capacity
        _replace_tags(backend, acl.arn, p.get("Tags"))

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        acl = backend.wacls.get(self.attributes["Arn"])
        if acl is not None:
            backend.delete_web_acl(self.name, self.scope, acl.id, acl.lock_token)


class WafLoggingConfiguration(BackedModel, CloudFormationModel):
    TYPE = "AWS::WAFv2::LoggingConfiguration"
    ATTRIBUTES = frozenset({"ManagedByFirewallManager"})

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> WafLoggingConfiguration:
        _backend(account_id, region_name).put_logging_configuration(
            p["ResourceArn"], p["LogDestinationConfigs"], p.get("RedactedFields"), False, p.get("LoggingFilter")
        )
        return cls(p["ResourceArn"], {"ManagedByFirewallManager": False})

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.physical_resource_id in backend.logging_configurations:
            backend.delete_logging_configuration(self.physical_resource_id)


class WafWebACLAssociation(BackedModel, CloudFormationModel):
    TYPE = "AWS::WAFv2::WebACLAssociation"

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> WafWebACLAssociation:
        _backend(account_id, region_name).associate_web_acl(p["WebACLArn"], p["ResourceArn"])
        return cls(f"{p['WebACLArn']}|{p['ResourceArn']}")

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).disassociate_web_acl(self.physical_resource_id.split("|")[1])


RESOURCE_TYPE_OF_SERVICE = {
    "elasticloadbalancing": "APPLICATION_LOAD_BALANCER",
    "apigateway": "API_GATEWAY",
    "appsync": "APPSYNC",
    "cognito-idp": "COGNITO_USER_POOL",
    "apprunner": "APP_RUNNER_SERVICE",
    "ec2": "VERIFIED_ACCESS_INSTANCE",
}
"""The ListResourcesForWebACL ResourceType of an associated resource, by its ARN's service."""


def _list_resources_for_web_acl(self: WAFV2Response) -> tuple[int, dict[str, str], str]:
    """ListResourcesForWebACL: the ARNs of one resource type associated with the web ACL, load
    balancers when no ResourceType is given, as AWS answers (WAFNonexistentItemException for an
    unknown web ACL)."""
    request = json.loads(self.body)
    acl = self.wafv2_backend.wacls.get(request["WebACLArn"])
    if acl is None:
        raise WAFNonexistentItemException()
    wanted = request.get("ResourceType", "APPLICATION_LOAD_BALANCER")
    arns = [arn for arn in acl.associated_resources if RESOURCE_TYPE_OF_SERVICE.get(parse_arn(arn).service) == wanted]
    return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})


class WAFAssociatedItemException(WAFv2ClientError):
    def __init__(self) -> None:
        super().__init__(
            "WAFAssociatedItemException",
            "AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.",
        )


_cleanup: ContextVar[list[Any] | None] = ContextVar("tenantkit_waf_cleanup", default=None)
"""During a stack update: what to delete once every resource is updated (CloudFormation's
UPDATE_COMPLETE_CLEANUP_IN_PROGRESS)."""


def _after_update(delete: Any) -> None:
    pending = _cleanup.get()
    if pending is None:
        delete()
    else:
        pending.append(delete)


def _update_then_clean_up(original: Any) -> Any:
    def update(self: ResourceMap, *args: Any, **kwargs: Any) -> Any:
        pending: list[Any] = []
        token = _cleanup.set(pending)
        try:
            result = original(self, *args, **kwargs)
        finally:
            _cleanup.reset(token)
        for delete in pending:
            delete()
        return result

    return update


def _replace_tags(backend: WAFV2Backend, arn: str, tags: Any) -> None:
    """The resource's tags become exactly `tags` (CloudFormation's Key/Value list)."""
    wanted = tag_list(tags)
    current = backend.tagging_service.list_tags_for_resource(arn)["Tags"]  # the backend's own pages them
    stale = [tag["Key"] for tag in current if tag["Key"] not in {t["Key"] for t in wanted}]
    if stale:
        backend.untag_resource(arn, stale)
    if wanted:
        backend.tag_resource(arn, wanted)


def _references(value: Any, arn: str) -> bool:
    """Whether a rule statement (any depth: And/Or/Not, rate-based scope-down) references `arn`."""
    if isinstance(value, dict):
        return any(
            (key.endswith("ReferenceStatement") and isinstance(item, dict) and item.get("ARN") == arn) or _references(item, arn)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_references(item, arn) for item in value)
    return False


def _refuse_referenced_ip_set(original: Any) -> Any:
    def delete_ip_set(self: WAFV2Backend, name: str, scope: str, _id: str, lock_token: str) -> None:
        arns = [arn for arn, ip_set in self.ip_sets.items() if ip_set.name == name and ip_set.ip_set_id == _id]
        if arns and any(_references(rule.statement, arns[0]) for acl in self.wacls.values() for rule in acl.rules or ()):
            raise WAFAssociatedItemException()
        original(self, name, scope, _id, lock_token)

    return delete_ip_set


def _refuse_associated_web_acl(original: Any) -> Any:
    def delete_web_acl(self: WAFV2Backend, name: str, scope: str, _id: str, lock_token: str) -> None:
        if any(acl.name == name and acl.id == _id and acl.associated_resources for acl in self.wacls.values()):
            raise WAFAssociatedItemException()
        original(self, name, scope, _id, lock_token)

    return delete_web_acl


def patch() -> None:
    WAFV2Response.list_resources_for_web_acl = _list_resources_for_web_acl  # type: ignore[attr-defined]  # API moto lacks
    wrap(WAFV2Backend, "delete_web_acl", _refuse_associated_web_acl)
    wrap(WAFV2Backend, "delete_ip_set", _refuse_referenced_ip_set)
    wrap(ResourceMap, "update", _update_then_clean_up)
