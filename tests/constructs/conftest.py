"""A bare stack to place one construct in, and its template."""

from __future__ import annotations

import pytest


@pytest.fixture
def stack():
    from aws_cdk import App, Environment, Stack

    app = App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True})
    return Stack(app, "Test", env=Environment(account="123456789012", region="us-east-1"))


def template_of(stack):
    from aws_cdk.assertions import Template

    return Template.from_stack(stack)
