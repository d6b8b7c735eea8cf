"""tests/sandbox: botocore's service models parsed once per module, not once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.botocore_models import shared_botocore_loader


@pytest.fixture(autouse=True, scope="module")
def _shared_botocore_models() -> Iterator[None]:
    with shared_botocore_loader():
        yield
