"""One boto3 session for a whole test module's regional clients: botocore loads each service
model once per session (about 0.3 s each), and offboarding's discovery asks some twenty services in
two regions, so a new session per region and test made each test pay seconds for the models alone."""

from __future__ import annotations

from typing import Any

import boto3

_SESSION = boto3.Session()


class RegionalSession:
    """`session_for(region)` of a lifecycle Scope: clients of the shared session, in `region`."""

    def __init__(self, region: str) -> None:
        self.region = region

    def client(self, service: str) -> Any:
        return _SESSION.client(service, region_name=self.region)
