"""An example tenantkit extension: a work queue per tenant, in its primary stack.

fleet.yaml:

    extensions:
      - callable: examples.extensions.sqs_queue:add_queue
        stack: primary

The queue and its dead-letter queue are encrypted with the tenant key, refuse any request not
made over TLS (a queue policy), and are named from the tenant's names; the stack's tags reach them.
They are deleted with their stack (no retention policy), so offboarding needs no `finder:` and
`destroyer:` for them: an extension whose resources can outlive the stack (retained, or made by the
application at run time) declares both (tenantkit.lifecycle.offboarding.extensions).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_sqs as sqs

from tenantkit.config.models import TenantConfig
from tenantkit.stacks.extensions import ExtensionContext

QUEUE = "jobs"
DEAD_LETTERS = "jobs-dlq"
MAX_RECEIVES = 5


def add_queue(stack: Stack, tenant: TenantConfig, context: ExtensionContext) -> None:
    """The tenant's job queue: tenant key, TLS only, failed messages kept 14 days in a DLQ."""
    dead_letters = _tenant_queue(stack, "JobsDeadLetters", DEAD_LETTERS, context, retention_period=Duration.days(14))
    _tenant_queue(
        stack, "Jobs", QUEUE, context, dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=MAX_RECEIVES)
    )


def _tenant_queue(stack: Stack, id: str, name: str, context: ExtensionContext, **props: Any) -> sqs.Queue:
    """A queue named from the tenant's names, encrypted with the tenant key, refusing requests without TLS."""
    return sqs.Queue(
        stack,
        id,
        queue_name=context.names.extension_resource(name),
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=context.key,
        enforce_ssl=True,
        **props,
    )
