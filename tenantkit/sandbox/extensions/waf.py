"""AWS::WAFv2::IPSet, WebACL, LoggingConfiguration and WebACLAssociation, in moto's WAFv2 backend.

moto 5.2.5 defects: its CloudFormation has no WAFv2 model; it skips these types with a warning,
reports CREATE_COMPLETE, resolves a Ref to them to None and fails any Fn::GetAtt on them. And its
API has no ListResourcesForWebACL (HTTP 500), which offboarding uses to find what a web ACL
protects: `patch()` adds it, answered from the associations moto's backend keeps. moto also
deletes a web ACL that is still associated with a resource; AWS refuses it
(WAFAssociatedItemException), which is why offboarding disassociates first: `patch()` refuses it
too. (moto likewise deletes an IP set a web ACL still references; that is not refused here,
because this extension's CloudFormation models replace an IP set on update where AWS updates it
in place.)
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.wafv2.exceptions import WAFNonexistentItemException, WAFv2ClientError
from moto.wafv2.models import WAFV2Backend, wafv2_backends
from moto.wafv2.responses import WAFV2Response

from tenantkit.sandbox.extensions._base import BackedModel, wrap


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


class WafIPSet(BackedModel, CloudFormationModel):
    TYPE = "AWS::WAFv2::IPSet"
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
        return model

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        ip_set = backend.ip_sets.get(self.attributes["Arn"])
        if ip_set is not None:
            backend.delete_ip_set(self.name, self.scope, ip_set.ip_set_id, ip_set.lock_token)


class WafWebACL(BackedModel, CloudFormationModel):
    TYPE = "AWS::WAFv2::WebACL"
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
        return model

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


def _list_resources_for_web_acl(self: WAFV2Response) -> tuple[int, dict[str, str], str]:
    """ListResourcesForWebACL: the ARNs associated with the web ACL (AWS answers
    WAFNonexistentItemException for an unknown web ACL)."""
    arn = json.loads(self.body)["WebACLArn"]
    acl = self.wafv2_backend.wacls.get(arn)
    if acl is None:
        raise WAFNonexistentItemException()
    return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": list(acl.associated_resources)})


class WAFAssociatedItemException(WAFv2ClientError):
    def __init__(self) -> None:
        super().__init__(
            "WAFAssociatedItemException",
            "AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.",
        )


def _refuse_associated_web_acl(original: Any) -> Any:
    def delete_web_acl(self: WAFV2Backend, name: str, scope: str, _id: str, lock_token: str) -> None:
        if any(acl.name == name and acl.id == _id and acl.associated_resources for acl in self.wacls.values()):
            raise WAFAssociatedItemException()
        original(self, name, scope, _id, lock_token)

    return delete_web_acl


def patch() -> None:
    WAFV2Response.list_resources_for_web_acl = _list_resources_for_web_acl  # type: ignore[attr-defined]
    wrap(WAFV2Backend, "delete_web_acl", _refuse_associated_web_acl)
