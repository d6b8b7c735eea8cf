"""The security review of a tenant's synthesized templates (`tenantkit review`) and the
residency page for sales engineers (`tenantkit residency`). No typer or rich here; no aws_cdk
either: the review reads templates, and synthesizes only through the synth service."""

from tenantkit.review.service import ReviewRequest, approve, review_assembly, run_review
from tenantkit.review.source import ReviewRequestError

__all__ = ["ReviewRequest", "ReviewRequestError", "approve", "review_assembly", "run_review"]
