"""One boto3 session, and one client per service and region, for the whole test run's regional
clients (`offboarding_tenant.sessions`): botocore loads each service model once per session (about
0.3 s each) and takes ~50 ms to make a client, and offboarding's discovery asks some twenty
services in two regions and the tagging API in every region, so a new session per region and test
made each test pay seconds for the models and clients alone."""

from __future__ import annotations

from typing import Any

from tests.lifecycle.offboarding_tenant import sessions


class RegionalSession:
    """`session_for(region)` of a lifecycle Scope: the run's shared clients, in `region`."""

    def __init__(self, region: str) -> None:
        self.region = region

    def client(self, service: str) -> Any:
        return sessions()(self.region).client(service)
