"""CI workflows that check the fleet on the CI's own parallel matrix: `tenantkit ci github|gitlab`.

Each is rendered from a Jinja template (`templates/`) whose variables are written `<< name >>`, so
GitHub's own `${{ ... }}` expressions stay as they are. The jobs: `validate` (every tenant file and
fleet.yaml, and the JSON schemas current), then N `check` jobs each running `tenantkit check
--shard k/N --junit ...`, with the shard's synth cache (`.tenantkit/cache`) restored before and
saved after (even when the check fails: its synthesized tenants are still good cache entries),
and the JUnit report published (GitHub: an artifact and the job summary; GitLab: its JUnit report).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tenantkit.synth.cache import CACHE_DIR

if TYPE_CHECKING:
    import jinja2

GITHUB_PATH = Path(".github/workflows/tenantkit.yml")
GITLAB_PATH = Path(".gitlab-ci.yml")
MAX_SHARDS = 200
"""GitLab's limit on `parallel` (GitHub allows 256 jobs per matrix)."""


@dataclass(frozen=True, kw_only=True)
class WorkflowSettings:
    shards: int
    python: str
    branch: str
    timeout_minutes: int
    version: str
    """The toolkit's version (GitLab's cache key cannot compute it at run time)."""


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("tenantkit.fleet", "templates"),
        variable_start_string="<<",
        variable_end_string=">>",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # YAML, not HTML
    )


def github_workflow(settings: WorkflowSettings) -> str:
    """The GitHub Actions workflow (for .github/workflows/)."""
    return _environment().get_template("github.yml.j2").render(
        **vars(settings),
        shard_list=", ".join(str(index) for index in range(1, settings.shards + 1)),
        cache_dir=CACHE_DIR.as_posix(),
    )


def gitlab_pipeline(settings: WorkflowSettings) -> str:
    """The GitLab CI configuration (.gitlab-ci.yml)."""
    parallel = settings.shards > 1
    return _environment().get_template("gitlab-ci.yml.j2").render(
        **vars(settings),
        shard_expression="$CI_NODE_INDEX/$CI_NODE_TOTAL" if parallel else "1/1",
        index_expression="$CI_NODE_INDEX" if parallel else "1",
        cache_dir=CACHE_DIR.as_posix(),
    )


def junit_summary(xml_text: str) -> str:
    """A Markdown summary of a `tenantkit check --junit` report: a row per step, then every
    failure with its tenant and first line (for GitHub's job summary)."""
    root = ElementTree.fromstring(xml_text)
    lines = ["| step | tenants | failed | skipped |", "| --- | ---: | ---: | ---: |"]
    failures = []
    for suite in root.iter("testsuite"):
        lines.append(
            f"| {suite.get('name')} | {suite.get('tests', '0')} | {suite.get('failures', '0')} | {suite.get('skipped', '0')} |"
        )
        for case in suite.iter("testcase"):
            failure = case.find("failure")
            if failure is not None:
                failures.append(f"- **{case.get('name')}** ({suite.get('name')}): {failure.get('message', 'failed')}")
    return "\n".join([f"### {root.get('name', 'tenantkit check')}", "", *lines, *(["", *failures] if failures else [])]) + "\n"
