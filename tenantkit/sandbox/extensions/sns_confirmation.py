"""E-mail subscriptions that are never confirmed, as SNS reports them.

moto 5.2.5 defect: every subscription is confirmed at once (`PendingConfirmation` false). In SNS
an `email` or `email-json` subscription stays `PendingConfirmation` until its owner follows the
link SNS mails (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html,
https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html). The sandbox delivers no e-mail, so
it stands in for the owner: it confirms every subscription at once (a deployed tenant inventories
clean), except an e-mail address at a domain under `.invalid`, which can never receive mail
(RFC 2606, section 2) and so stays `PendingConfirmation`, as it would in AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.sns.models import SNSBackend

from tenantkit.sandbox.extensions._base import wrap

EMAIL_PROTOCOLS = ("email", "email-json")
UNDELIVERABLE_DOMAIN = ".invalid"


def never_confirmed(protocol: str, endpoint: str) -> bool:
    """Whether the sandbox leaves this subscription PendingConfirmation (mail nobody can receive)."""
    return protocol in EMAIL_PROTOCOLS and endpoint.rpartition("@")[2].lower().endswith(UNDELIVERABLE_DOMAIN)


def _subscribe(original: Callable[..., Any]) -> Callable[..., Any]:
    def subscribe(self: SNSBackend, topic_arn: str, endpoint: str, protocol: str) -> Any:
        subscription = original(self, topic_arn, endpoint, protocol)
        if never_confirmed(protocol, endpoint):
            subscription.attributes["PendingConfirmation"] = "true"
            subscription.attributes["ConfirmationWasAuthenticated"] = "false"
        return subscription

    return subscribe


def patch() -> None:
    wrap(SNSBackend, "subscribe", _subscribe)
