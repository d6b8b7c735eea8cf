"""An example tenantkit extension: a work queue per tenant, in its primary stack.

fleet.yaml:

    extensions:
      - callable: examples.extensions.sqs_queue:add_queue
        stack: primary

The queue and its dead-letter queue are encrypted with the tenant key, refuse any request not
made over TLS (a queue policy), and are named from the tenant's names; the stack's tags reach them.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_sqs as sqs

from tenantkit.config.models import TenantConfig
from tenantkit.stacks.extensions import ExtensionContext

QUEUE = "jobs"
DEAD_LETTERS = "jobs-dlq"
MAX_RECEIVES = 5


def add_queue(stack: Stack, tenant: TenantConfig, context: ExtensionContext) -> None:
    """The tenant's job queue: tenant key, TLS only, failed messages kept 14 days in a DLQ."""
    dead_letters = sqs.Queue(
        stack,
        "JobsDeadLetters",
        queue_name=context.names.extension_resource(DEAD_LETTERS),
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=context.key,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    sqs.Queue(
        stack,
        "Jobs",
        queue_name=context.names.extension_resource(QUEUE),
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=context.key,
        enforce_ssl=True,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=MAX_RECEIVES),
    )
