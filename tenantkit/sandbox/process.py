"""Start, find, reset and stop the sandbox server: one background process per project directory.

State lives in `<state_dir>/sandbox.json` (pid, port, endpoint, start time), written atomically;
the server's output goes to `<state_dir>/sandbox.log`; what the sandbox holds is saved by the
server to `<state_dir>/sandbox-state.pickle` when it is stopped, and loaded when it starts
(`tenantkit.sandbox.snapshot`), unless `down --discard`. A process is taken for ours only when its
command line runs `tenantkit.sandbox.serve` on the recorded port, so `down` never stops a process
it did not start, even when the pid has been reused; a state file whose process is gone is stale
and is replaced or removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path

from tenantkit.aws import atomic_write

SERVE_MODULE = "tenantkit.sandbox.serve"
STATE_FILE = "sandbox.json"
LOG_FILE = "sandbox.log"
SNAPSHOT_FILE = "sandbox-state.pickle"
HOST = "127.0.0.1"
READY_PATH = "/moto-api/config"
MOTO_VERSION = "5.2.5"
"""The moto release tenantkit's emulator extensions (tenantkit.sandbox.extensions) are written for:
they wrap private moto methods, so the sandbox refuses any other (`require_supported_moto`).
pyproject.toml and the lock files pin the same release; raise all three together, and run the
probes of tests/sandbox/moto_defects.py against the new moto."""
"""Cheap and always answerable (`/moto-api/data.json` serializes every model, and fails once a
Lambda function exists and no Docker is there)."""
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 60.0
"""The server saves its state before it exits: a large sandbox on a busy machine takes seconds."""


class SandboxError(Exception):
    """The sandbox cannot do what was asked; the message says why, in one line."""


class SandboxState(str, Enum):
    RUNNING = "running"
    NOT_RUNNING = "not running"
    STALE = "stale"
    """A state file whose server is gone (it died, or the machine restarted)."""
    UNRESPONSIVE = "unresponsive"
    """Our process is alive but does not answer."""


@dataclass(frozen=True)
class SandboxStatus:
    state: SandboxState
    pid: int | None = None
    port: int | None = None
    started_at: float | None = None

    @property
    def endpoint(self) -> str | None:
        return f"http://{HOST}:{self.port}" if self.port else None

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "state": self.state.value, "endpoint": self.endpoint}


def sandbox_status(state_dir: Path) -> SandboxStatus:
    """What the state file says, checked against the process table and the server itself."""
    recorded = _read_state(state_dir)
    if recorded is None:
        return SandboxStatus(SandboxState.NOT_RUNNING)
    pid, port, started_at = recorded["pid"], recorded["port"], recorded.get("started_at")
    if not _is_our_server(pid, port):
        return SandboxStatus(SandboxState.STALE, pid, port, started_at)
    state = SandboxState.RUNNING if _answers(port) else SandboxState.UNRESPONSIVE
    return SandboxStatus(state, pid, port, started_at)


def start_sandbox(state_dir: Path, port: int | None = None) -> tuple[SandboxStatus, bool]:
    """Start the server (on `port`, or a free one) unless it already runs; returns its status and
    whether it was started now. Idempotent: a running sandbox is returned as it is."""
    current = sandbox_status(state_dir)
    if current.state is SandboxState.RUNNING:
        if port is not None and port != current.port:
            raise SandboxError(f"the sandbox already runs on port {current.port}; `tenantkit sandbox down` first")
        return current, False
    if current.state is SandboxState.UNRESPONSIVE:
        raise SandboxError(
            f"the sandbox process {current.pid} does not answer on port {current.port}; "
            "`tenantkit sandbox down` stops it"
        )
    require_supported_moto()
    chosen = port if port is not None else _free_port()
    if not _port_is_free(chosen):
        raise SandboxError(f"port {chosen} on {HOST} is in use; choose another with --port")
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", SERVE_MODULE, "--port", str(chosen), "--state", str((state_dir / SNAPSHOT_FILE).resolve())],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this command; Ctrl-C here does not reach it
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _answers(chosen):
        if process.poll() is not None:
            raise SandboxError(f"the sandbox server exited at start (code {process.returncode}); see {state_dir / LOG_FILE}")
        if time.monotonic() > deadline:
            _terminate(process.pid)
            raise SandboxError(f"the sandbox server did not answer within {START_TIMEOUT_S:.0f} s; see {state_dir / LOG_FILE}")
        time.sleep(0.1)
    _write_state(state_dir, {"pid": process.pid, "port": chosen, "started_at": time.time()})
    return sandbox_status(state_dir), True


def require_supported_moto() -> None:
    """Refuse (SandboxError) unless the installed moto is the release the emulator extensions were
    written for: they wrap moto's private methods, which any release may change."""
    from importlib.metadata import PackageNotFoundError, version

    install = f"pip install 'moto[cloudformation,server]=={MOTO_VERSION}'"
    try:
        installed = version("moto")
    except PackageNotFoundError:
        raise SandboxError(f"moto is not installed: {install}") from None
    if installed != MOTO_VERSION:
        raise SandboxError(
            f"moto {installed} is installed, but the sandbox's extensions are written for moto {MOTO_VERSION}: {install}"
        )


def stop_sandbox(state_dir: Path, *, discard: bool = False) -> SandboxStatus:
    """Stop the server this project started, if any (it saves what it holds for the next `up`);
    forget a stale state file; with `discard`, forget the saved state too. Returns what was found
    before stopping."""
    current = sandbox_status(state_dir)
    if current.state in (SandboxState.RUNNING, SandboxState.UNRESPONSIVE) and current.pid is not None:
        _terminate(current.pid)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    if discard:
        (state_dir / SNAPSHOT_FILE).unlink(missing_ok=True)
    return current


def reset_sandbox(state_dir: Path) -> SandboxStatus:
    """Empty the running sandbox of every resource (moto's reset), keeping the process."""
    current = sandbox_status(state_dir)
    if current.state is not SandboxState.RUNNING:
        raise SandboxError(f"the sandbox is {current.state.value}; `tenantkit sandbox up` first")
    request = urllib.request.Request(f"{current.endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    (state_dir / SNAPSHOT_FILE).unlink(missing_ok=True)
    return current


def sandbox_clock(state_dir: Path, advance_days: float = 0) -> float:
    """Move the running sandbox's clock forward by `advance_days` (0: leave it) and return how far
    ahead of real time it runs, in days (`tenantkit.sandbox.extensions.clock`)."""
    import json

    current = sandbox_status(state_dir)
    if current.state is not SandboxState.RUNNING:
        raise SandboxError(f"the sandbox is {current.state.value}; `tenantkit sandbox up` first")
    if advance_days < 0:
        raise SandboxError("the sandbox's clock never goes back")
    url = f"{current.endpoint}/moto-api/tenantkit/clock"
    body = json.dumps({"advance_seconds": advance_days * 86400}).encode()
    request = urllib.request.Request(url, data=body, method="POST") if advance_days else urllib.request.Request(url)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return float(json.loads(answer.read())["ahead_seconds"]) / 86400


# --- helpers ---------------------------------------------------------------------------------


def _read_state(state_dir: Path) -> dict | None:
    try:
        data = json.loads((state_dir / STATE_FILE).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"pid": -1, "port": 0}  # unreadable: stale, replaced by the next `up`
    if not isinstance(data.get("pid"), int) or not isinstance(data.get("port"), int):
        return {"pid": -1, "port": 0}
    return data


def _write_state(state_dir: Path, data: dict) -> None:
    atomic_write(state_dir / STATE_FILE, json.dumps(data, indent=2))


def _is_our_server(pid: int, port: int) -> bool:
    """Whether `pid` is alive and is tenantkit's sandbox server on `port` (not a reused pid)."""
    if pid <= 0:
        return False
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if status.rsplit(")", 1)[-1].split()[0] == "Z":  # a zombie has exited already
        return False
    arguments = raw.decode(errors="replace").split("\0")
    return SERVE_MODULE in arguments and str(port) in arguments


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{READY_PATH}", timeout=2) as response:
            return response.status in (200, 201)
    except (urllib.error.URLError, OSError):
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _terminate(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)  # the server's session: moto and any worker it started
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            reaped, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            reaped = 0
            if not Path(f"/proc/{pid}").exists():
                return
        if reaped == pid:
            return
        if Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
