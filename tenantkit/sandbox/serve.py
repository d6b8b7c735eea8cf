"""The sandbox process: `python -m tenantkit.sandbox.serve --port N [--state FILE]` serves moto on
127.0.0.1:N.

Started in the background by `tenantkit sandbox up` (tenantkit.sandbox.process), which recognises
its own server by this module's name on the command line. tenantkit's extensions to moto
(`tenantkit.sandbox.extensions`) are installed before the server starts, so the tenant stacks
deploy as synthesized. With `--state`, the state saved there is loaded before the server answers,
and saved there again when the server is stopped (SIGTERM: `tenantkit sandbox down`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tenantkit.sandbox.serve")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, help="load the sandbox's state from this file, and save it there on SIGTERM")
    args = parser.parse_args(argv)
    # moto builds each region's EC2 backend with about 1,100 fake AMIs, a second per region the
    # first time it is asked (offboarding's discovery asks every enabled region); no tenant
    # resource uses an AMI. A setting of moto's own, read when moto is imported; set only here,
    # in the server process, and only if the caller has not chosen.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    import moto.server

    from tenantkit.sandbox.extensions import install

    install()
    if args.state is not None:
        _restore(args.state)
        # moto's main installs `moto.server.signal_handler` for SIGTERM and SIGINT: ours saves first
        moto.server.signal_handler = lambda *_: _save_and_exit(args.state)

    moto.server.main(["--host", "127.0.0.1", "--port", str(args.port)])


def _restore(path: Path) -> None:
    from tenantkit.sandbox.snapshot import load_snapshot

    if not path.exists():
        return
    try:
        print(f"tenantkit: restored {load_snapshot(path)} backends from {path}", flush=True)
    except Exception as error:  # noqa: BLE001 - a snapshot that cannot be read is set aside, never fatal
        aside = path.with_name(f"{path.name}.unreadable")
        os.replace(path, aside)
        print(f"tenantkit: could not restore {path} ({type(error).__name__}: {error}); kept as {aside}, starting empty", flush=True)


def _save_and_exit(path: Path, *_: Any) -> None:
    from tenantkit.sandbox.snapshot import save_snapshot

    try:
        print(f"tenantkit: saved {save_snapshot(path)} backends to {path}", flush=True)
        code = 0
    except Exception as error:  # noqa: BLE001 - reported in the log; the previous snapshot is dropped, not left stale
        path.unlink(missing_ok=True)
        print(f"tenantkit: could not save the sandbox's state ({type(error).__name__}: {error})", flush=True)
        code = 1
    sys.stdout.flush()
    os._exit(code)  # werkzeug's serving threads would keep a normal exit waiting


if __name__ == "__main__":
    main()
