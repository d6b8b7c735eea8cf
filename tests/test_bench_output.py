"""The bench scripts read the CLI's JSON summary out of its whole output: stdout, then stderr."""

from __future__ import annotations

import json
import sys

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))
import synth_many


def test_the_resource_count_is_read_when_stderr_follows_the_json():
    summary = {"tenants": [{"tenant_id": "acme-corp", "resources": 139}, {"tenant_id": "maple-ca", "resources": 141}]}
    output = "synthesizing...\n" + json.dumps(summary, indent=2) + "\nwarning: {the cache} was rebuilt\n"
    assert synth_many._resources(output) == 139 + 141


def test_no_summary_counts_nothing():
    assert synth_many._resources("error: tenant_configs/acme.yaml: tenant_id: missing\n") == 0
