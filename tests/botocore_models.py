"""One botocore loader for every session a test process makes, so that botocore's JSON service
models are parsed once, not once per session.

moto resets boto3's default session at each `mock_aws()` start, and the tests (and the services
they call) build a session for each set of assumed credentials; each new session's first client
parsed the service's model, the endpoints and the partitions again (~0.1-0.3 CPU-s a session, two
thirds of what the moto defect probes cost). The loader only reads botocore's data files and
caches what it read; sessions, credentials, clients and moto's backends stay per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import botocore.loaders
import botocore.session


@contextmanager
def shared_botocore_loader() -> Iterator[None]:
    """Within: every new botocore session shares one loader per data path (AWS_DATA_PATH)."""
    loaders: dict[str | None, botocore.loaders.Loader] = {}
    create_loader = botocore.session.create_loader

    def shared(search_path_string: str | None = None) -> botocore.loaders.Loader:
        if search_path_string not in loaders:
            loaders[search_path_string] = create_loader(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = shared
    try:
        yield
    finally:
        botocore.session.create_loader = create_loader
