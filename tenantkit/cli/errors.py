"""Errors turned into readable lines at the edge: one place for every command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from tenantkit.cli import render


@contextmanager
def as_lines() -> Iterator[None]:
    """Bad tenant files become one line per problem; a request the services refuse, one line;
    either way exit 1, never a traceback. The exception types are looked up only when something
    was raised: the packages defining them are heavy, and a fully cached synth imports none."""
    try:
        yield
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception as error:
        from botocore.exceptions import BotoCoreError, ClientError

        from tenantkit.compliance.cfn_lint import LintSettingsError
        from tenantkit.config import ConfigError, NoTenantsError
        from tenantkit.evidence import EvidenceKeyError
        from tenantkit.lifecycle.backup_now import BackupNowError
        from tenantkit.lifecycle.cdk_cli import CdkCliError
        from tenantkit.lifecycle.local import LocalDeployError
        from tenantkit.lifecycle.report import ReportError
        from tenantkit.lifecycle.state import LockHeld, StateError
        from tenantkit.sandbox import SandboxError
        from tenantkit.synth import SynthRequestError

        if isinstance(error, ConfigError):
            render.issues(error.issues)
        elif isinstance(error, SynthRequestError | NoTenantsError | LintSettingsError | LocalDeployError | SandboxError | CdkCliError | ReportError | BackupNowError | EvidenceKeyError | LockHeld | StateError):
            render.error(str(error))
        elif isinstance(error, BotoCoreError | ClientError):
            render.error(f"AWS: {error}")
        else:
            raise
        raise typer.Exit(1) from None
