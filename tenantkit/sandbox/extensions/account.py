"""AWS Account Management's `ListRegions`, in moto's Account service, served in-process and by the
sandbox server.

moto 5.2.5 defect covered (probed in `tests/sandbox/moto_defects.py`): `ListRegions` has no route
(HTTP 404). The sandbox serves every region, so it answers with `SANDBOX_REGIONS`: every region
botocore's endpoint data lists for the aws partition, each ENABLED_BY_DEFAULT (opt-in regions
are enabled, as if the account had opted in). `RegionOptStatusContains` filters; paging is one page.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.account import urls as account_urls
from moto.account.responses import AccountResponse
from moto.core.responses import ActionResult

ROUTE = "{0}/listRegions$"


@functools.cache
def sandbox_regions() -> tuple[str, ...]:
    """Every region of the aws partition botocore knows (the sandbox serves each). Read once: a
    new boto3 session loads botocore's endpoint data (~0.2 s), and discovery asks at every run."""
    import boto3

    return tuple(sorted(boto3.Session().get_available_regions("resourcegroupstaggingapi")))


def list_regions(self: Any) -> ActionResult:
    params = json.loads(self.body) if self.body else {}
    wanted = set(params.get("RegionOptStatusContains") or ["ENABLED_BY_DEFAULT"])
    status = "ENABLED_BY_DEFAULT"
    listed = [{"RegionName": region, "RegionOptStatus": status} for region in sandbox_regions()] if status in wanted else []
    return ActionResult({"Regions": listed})


def patch() -> None:
    AccountResponse.list_regions = list_regions  # type: ignore[attr-defined]  # moto 5.2.5 has no ListRegions: the operation is added
    account_urls.url_paths.setdefault(ROUTE, AccountResponse.dispatch)
