"""The sandbox process: `python -m tenantkit.sandbox.serve --port N` serves moto on 127.0.0.1:N.

Started in the background by `tenantkit sandbox up` (tenantkit.sandbox.process), which recognises
its own server by this module's name on the command line. tenantkit's extensions to moto
(`tenantkit.sandbox.extensions`) are installed before the server starts, so the tenant stacks
deploy as synthesized.
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tenantkit.sandbox.serve")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    from moto.server import main as moto_server

    from tenantkit.sandbox.extensions import install

    install()

    moto_server(["--host", "127.0.0.1", "--port", str(args.port)])


if __name__ == "__main__":
    main()
