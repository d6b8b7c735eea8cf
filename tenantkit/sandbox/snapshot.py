"""The sandbox's state across `tenantkit sandbox down` and `up`: every moto backend in use,
pickled by the server as it stops and loaded as it starts, before it answers anything.

Why pickling and not moto's recorder (`MOTO_ENABLE_RECORDING`, `/moto-api/recorder/...`): the
recorder replays the API calls, and every replayed create draws new random ids (stack ids, key
ids, the access keys of assumed roles), so ARNs held in journals, reports and `sandbox env`
exports would no longer name anything; it also replays every poll the CDK CLI made. A pickle
keeps the objects themselves, ids and cross-references included (a stack's resources are the
service backends' own objects, pickled once). Locks are re-created empty on load, KMS key
material travels as DER, and a `defaultdict` whose factory is a lambda gets a `CopyOf` factory.

A snapshot is tied to the moto version that wrote it: another version's is set aside, not loaded.
What does not survive: nothing runs while the server is down, and requests in flight when it
stops are lost.
"""

from __future__ import annotations

import copy
import copyreg
import importlib
import os
import pickle
import threading
import weakref
from collections import defaultdict
from pathlib import Path
from typing import Any

FORMAT = 1


def _reduce_lock(lock: Any) -> tuple[Any, tuple[()]]:
    return (threading.RLock if "RLock" in type(lock).__name__ else threading.Lock), ()


def _load_private_key(der: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_der_private_key(der, None)


def _reduce_private_key(key: Any) -> tuple[Any, tuple[bytes]]:
    from cryptography.hazmat.primitives import serialization

    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return _load_private_key, (der,)


class CopyOf:
    """A default factory that returns a copy of one value: what a `defaultdict(lambda: ...)`
    becomes, since a lambda does not pickle (moto's SSM tags, Lambda aliases)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return copy.deepcopy(self.value)


class _Pickler(pickle.Pickler):
    def __init__(self, file: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        # KMS keys hold `cryptography` key objects, which do not pickle: they travel as DER
        keys = (rsa.generate_private_key(65537, 2048), ec.generate_private_key(ec.SECP256R1()))
        table: dict[type, Any] = dict(copyreg.dispatch_table)
        table[type(threading.Lock())] = table[type(threading.RLock())] = _reduce_lock
        table.update({type(key): _reduce_private_key for key in keys})
        self.dispatch_table = table

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, (weakref.WeakValueDictionary, weakref.WeakKeyDictionary)):
            return type(obj), (dict(obj.items()),)  # its callbacks are local functions; what it refers to is pickled
        if isinstance(obj, weakref.WeakSet):
            return weakref.WeakSet, (list(obj),)
        if not isinstance(obj, defaultdict):
            return NotImplemented
        factory = obj.default_factory
        if "<lambda>" in getattr(factory, "__qualname__", ""):
            factory = CopyOf(factory())  # type: ignore[misc]
        # a subclass's own __init__ may take other arguments (moto's SSM ParameterDict)
        return _new_defaultdict, (type(obj), factory), getattr(obj, "__dict__", None), None, iter(obj.items())


def _new_defaultdict(cls: Any, factory: Any) -> Any:
    made = cls.__new__(cls)
    defaultdict.__init__(made, factory)
    return made


def save_snapshot(path: Path) -> int:
    """Write every backend in use to `path` (atomically); returns how many regional backends."""
    import moto
    from moto.core.base_backend import BackendDict

    services = [
        (backends.service_name, backends.backend, {account: dict(regions) for account, regions in backends.items()})
        for backends in BackendDict._instances  # type: ignore[misc]  # the services used since the start or the last reset
    ]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            _Pickler(file).dump({"format": FORMAT, "moto": moto.__version__, "services": services})
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return sum(len(regions) for _, _, accounts in services for regions in accounts.values())


def load_snapshot(path: Path) -> int:
    """Put the backends saved in `path` back in place; returns how many regional backends.
    Raises ValueError for a snapshot of another moto version or format."""
    import moto

    with open(path, "rb") as file:
        saved = pickle.load(file)  # only ever written by this project's own sandbox, under its state dir
    if saved.get("format") != FORMAT or saved.get("moto") != moto.__version__:
        raise ValueError(f"written by moto {saved.get('moto')} (format {saved.get('format')}), this is moto {moto.__version__}")
    count = 0
    for service_name, backend_class, accounts in saved["services"]:
        target = _backend_dict(service_name, backend_class)
        for account, regions in accounts.items():
            for region, backend in regions.items():
                dict.__setitem__(target[account], region, backend)
                count += 1
    return count


def _backend_dict(service_name: str, backend_class: type) -> Any:
    """The live BackendDict that holds `backend_class` (a global of the class's module, or moto's
    registry for the service)."""
    from moto.backends import get_backend
    from moto.core.base_backend import BackendDict

    module = importlib.import_module(backend_class.__module__)
    for value in vars(module).values():
        if isinstance(value, BackendDict) and value.backend is backend_class:
            return value
    found = get_backend(service_name)  # type: ignore[call-overload]
    if found.backend is not backend_class:
        raise ValueError(f"no backend of {backend_class.__qualname__} for {service_name}")
    return found
