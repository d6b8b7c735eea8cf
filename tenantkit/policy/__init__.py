"""An IAM policy evaluator of ours: decides a request as AWS's documented evaluation logic does,
for the identity and resource policies tenantkit writes (pure Python; no boto3 or aws_cdk).

moto checks identity policies only and never key, secret, vault or bucket policies, so the
sandbox's refusals (`tenantkit.sandbox.extensions.policies`) and the isolation tests come from here.
"""

from tenantkit.policy.evaluation import Decision, Request, evaluate

__all__ = ["Decision", "Request", "evaluate"]
