"""A throwaway PostgreSQL cluster from Debian's packages, for tests that need a real server.

`start_local_postgres()` runs `initdb` in a fresh directory, starts the server on a free
127.0.0.1 port with password (SCRAM) authentication, and stops it and removes the directory on
exit. `shared_preload_libraries` and any other setting are written to the cluster's
postgresql.conf before the first start (pgaudit, for one, loads only at server start).

PostgreSQL refuses to run as root: when the tests run as root (CI does), every server command
runs as the `postgres` system user (created by Debian's package) through `runuser`, and the
cluster lives under the system temporary directory, which that user can reach (pytest's
tmp_path is private to root).

Debian's packages: `postgresql-15` (and `postgresql-15-pgaudit` for the audit tests); .ci/run
installs both. Where PostgreSQL is absent and cannot be run, `local_postgres` skips the test and
says why; it never fakes a server.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

POSTGRES_MAJOR = 15
BIN_DIR = Path(f"/usr/lib/postgresql/{POSTGRES_MAJOR}/bin")
"""Debian's layout: binaries per major version, outside PATH."""
LIB_DIR = Path(f"/usr/lib/postgresql/{POSTGRES_MAJOR}/lib")
SERVER_USER = "postgres"
"""The system user Debian's package creates; the server runs as it when the tests run as root."""
SUPERUSER = "master"
"""The cluster's bootstrap superuser, named like the RDS master user tenantkit creates."""


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be run here (not installed, or no non-root user to run it as)."""


@dataclass(frozen=True)
class LocalPostgres:
    """A running cluster: where it listens, its superuser's credentials, and its server log."""

    host: str
    port: int
    user: str
    password: str
    database: str
    data_dir: Path
    log_file: Path
    ca_file: Path | None
    """With `tls=True`: the self-signed certificate the server presents (for 127.0.0.1), to trust."""

    def connect(self, *, user: str | None = None, password: str | None = None, database: str | None = None) -> Any:
        """A pg8000 native connection (the driver the rotation function bundles), over TLS when
        the server has it; close it after use."""
        import ssl

        import pg8000.native

        context = ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else None
        return pg8000.native.Connection(
            user or self.user,
            password=self.password if password is None else password,
            host=self.host,
            port=self.port,
            database=database or self.database,
            ssl_context=context,
        )

    def log_text(self) -> str:
        """Everything the server has logged so far (pgaudit and connection logging write here)."""
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""


def unavailable_reason(preload: Sequence[str] = ()) -> str | None:
    """Why a local cluster (with these preloaded libraries) cannot run here, or None if it can."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (BIN_DIR / tool).is_file():
            return (
                f"PostgreSQL {POSTGRES_MAJOR} is not installed ({BIN_DIR / tool} missing): "
                f"apt-get install postgresql-{POSTGRES_MAJOR} (.ci/run does)"
            )
    for library in preload:
        if not (LIB_DIR / f"{library}.so").is_file():
            return (
                f"PostgreSQL library {library!r} is not installed ({LIB_DIR / library}.so missing): "
                f"apt-get install postgresql-{POSTGRES_MAJOR}-{library} (.ci/run does)"
            )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and runuser (util-linux) is missing"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings_text(settings: Mapping[str, str | int | bool]) -> str:
    lines = []
    for name, value in settings.items():
        if isinstance(value, bool):
            text = "on" if value else "off"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = "'" + value.replace("'", "''") + "'"
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def start_local_postgres(
    *,
    preload: Sequence[str] = (),
    settings: Mapping[str, str | int | bool] | None = None,
    tls: bool = False,
) -> Iterator[LocalPostgres]:
    """Initialise and start a throwaway cluster; stop it and delete its files on exit.

    `preload` goes to `shared_preload_libraries` (e.g. `("pgaudit",)`); `settings` are written to
    postgresql.conf as given (e.g. `{"pgaudit.log": "read,write", "log_connections": True}`).
    `tls=True` serves TLS with a fresh self-signed certificate for 127.0.0.1 and refuses
    connections without it (`hostssl` only), as RDS does with `rds.force_ssl`.
    Raises PostgresUnavailable with the reason when the cluster cannot run here.
    """
    reason = unavailable_reason(preload)
    if reason is not None:
        raise PostgresUnavailable(reason)
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", SERVER_USER, "--"] if as_root else []

    root = Path(tempfile.mkdtemp(prefix="tenantkit-pg-"))
    data_dir = root / "data"
    log_file = root / "server.log"
    password = secrets.token_urlsafe(24)
    password_file = root / "pwfile"
    password_file.write_text(password + "\n")
    if as_root:
        entry = pwd.getpwnam(SERVER_USER)
        for path in (root, password_file):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    started = False
    try:
        _run(
            [*prefix, str(BIN_DIR / "initdb"), "-D", str(data_dir), "-U", SUPERUSER,
             f"--pwfile={password_file}", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"],
            "initdb",
        )
        password_file.unlink()
        port = _free_port()
        conf: dict[str, str | int | bool] = {
            "listen_addresses": "127.0.0.1",
            "port": port,
            # No Unix socket: the directory Debian uses (/var/run/postgresql) may not exist here.
            "unix_socket_directories": "",
            "fsync": False,
            "password_encryption": "scram-sha-256",
        }
        if preload:
            conf["shared_preload_libraries"] = ",".join(preload)
        ca_file = None
        if tls:
            ca_file = _write_certificate(data_dir, owner=pwd.getpwnam(SERVER_USER) if as_root else None)
            conf.update({"ssl": True, "ssl_cert_file": str(data_dir / "server.crt"),
                         "ssl_key_file": str(data_dir / "server.key")})
            (data_dir / "pg_hba.conf").write_text(
                "hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n"
            )
        conf.update(settings or {})
        with (data_dir / "postgresql.conf").open("a") as handle:
            handle.write("\n# tests/local_postgres.py\n" + _settings_text(conf))
        _run([*prefix, str(BIN_DIR / "pg_ctl"), "-D", str(data_dir), "-l", str(log_file), "-w", "-t", "60", "start"],
             "pg_ctl start", log_file)
        started = True
        yield LocalPostgres(
            host="127.0.0.1", port=port, user=SUPERUSER, password=password, database="postgres",
            data_dir=data_dir, log_file=log_file, ca_file=ca_file,
        )
    finally:
        if started:
            subprocess.run([*prefix, str(BIN_DIR / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"],
                           capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def _write_certificate(data_dir: Path, *, owner: pwd.struct_passwd | None) -> Path:
    """A self-signed certificate for 127.0.0.1 and its key in the data directory; returns the
    certificate's path (clients trust it as their CA)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = data_dir / "server.crt", data_dir / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)  # PostgreSQL refuses a key others can read
    if owner is not None:
        for path in (cert_path, key_path):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    return cert_path


def _run(command: list[str], what: str, log_file: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log = log_file.read_text(errors="replace") if log_file and log_file.exists() else ""
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}\n{log}")


def local_postgres_fixture(
    *, preload: Sequence[str] = (), settings: Mapping[str, str | int | bool] | None = None,
    tls: bool = False, scope: str = "module",
) -> Callable[..., Any]:
    """A pytest fixture running one cluster for its scope; skips with the reason if unavailable.

        local_postgres = local_postgres_fixture()                       # in a test module
        pgaudit_postgres = local_postgres_fixture(preload=("pgaudit",), settings={"pgaudit.log": "read"})
    """

    @pytest.fixture(scope=scope)  # type: ignore[call-overload,misc]
    def _fixture() -> Iterator[LocalPostgres]:
        reason = unavailable_reason(preload)
        if reason is not None:
            pytest.skip(reason)
        with start_local_postgres(preload=preload, settings=settings, tls=tls) as server:
            yield server

    return _fixture
