"""A test extension whose resource outlives its stack: the application makes an archive queue per
tenant at run time, so the extension declares a finder and destroyer for offboarding (fleet.yaml
`finder:`/`destroyer:`), as tenantkit.lifecycle.offboarding.extensions describes them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tenantkit.lifecycle.offboarding.resources import Scope, Target

QUEUE = "archive"


def add_nothing(stack: Any, tenant: Any, context: Any) -> None:
    """This extension's resource is made by the application at run time, not by its stack."""


def find_archive_queue(scope: Scope) -> Iterator[Target]:
    """The tenant's archive queue in each of its regions, by its exact name."""
    name = scope.names.extension_resource(QUEUE)
    for region in scope.regions:
        sqs = scope.client("sqs", region)
        urls = sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])
        for url in urls:
            if url.rsplit("/", 1)[-1] == name:
                arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                yield Target("queue", region, name, arn, extra={"url": url})


def delete_archive_queue(scope: Scope, target: Target, progress: Any) -> dict[str, str]:
    sqs = scope.client("sqs", target.region)
    try:
        sqs.delete_queue(QueueUrl=target.extra["url"])
    except sqs.exceptions.QueueDoesNotExist:
        return {"deleted": "already gone"}
    return {"deleted": target.name}
