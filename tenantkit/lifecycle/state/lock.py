"""One operation at a time per tenant: a file lock on this machine, and a lock the fleet shares.

On one machine: `fcntl.flock` on `.tenantkit/locks/<tenant>.lock`, which the kernel releases when
the holding process ends, however it ends; the file says who holds it (operation, user, pid, host,
since). Across machines (against AWS, and the sandbox standing in for it): one DynamoDB item per
tenant in `naming.LOCK_TABLE`, in the tooling account and region fleet.yaml's `tooling:` names,
written with a conditional `PutItem` (`attribute_not_exists`): DynamoDB applies a conditional
write atomically and strongly consistently, so of two operators exactly one gets the item, and the
release is a conditional `DeleteItem` on the holder's own token, so a process never frees a lock
it no longer holds (after `--break-lock`). DynamoDB rather than an S3 conditional put
(`If-None-Match`): the release and the break must be conditional on the holder too, which DynamoDB
condition expressions give for every operation, and the item can be read back consistently to
show who holds it.

A lock left by a process that died (the shared one outlives it) shows its holder and since when;
`break_lock` with a reason takes it over and records who broke whose lock, when and why, in the
new item and in `.tenantkit/locks/broken.jsonl`.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tenantkit.lifecycle.state.model import now
from tenantkit.naming import LOCK_TABLE

LOCKS_DIR = Path("locks")
"""Under the state directory (`.tenantkit/`): one lock file per tenant, and the log of breaks."""
OPERATIONS = frozenset({"deploy", "offboard", "restore", "drill", "failover", "access", "reinstate"})


@dataclass(frozen=True)
class Holder:
    operation: str
    who: str
    pid: int
    host: str
    since: str
    token: str = ""

    def describe(self) -> str:
        return f"{self.operation} by {self.who} (pid {self.pid} on {self.host}) since {self.since}"

    @classmethod
    def mine(cls, operation: str) -> Holder:
        if operation not in OPERATIONS:
            raise ValueError(f"{operation}: not an operation tenantkit locks")
        return cls(operation, getpass.getuser(), os.getpid(), socket.gethostname(), now(), uuid.uuid4().hex)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Holder:
        return cls(str(data.get("operation", "?")), str(data.get("who", "?")), int(data.get("pid", 0)),
                   str(data.get("host", "?")), str(data.get("since", "?")), str(data.get("token", "")))


class LockHeld(Exception):
    """Another operation holds the tenant; one line naming the tenant and the holder."""

    def __init__(self, tenant_id: str, holder: Holder | None, where: str) -> None:
        self.tenant_id = tenant_id
        self.holder = holder
        held = holder.describe() if holder else "another process (no holder recorded)"
        super().__init__(
            f"{tenant_id} is locked {where} by {held}: wait for it to finish, or, if that process is gone, "
            "rerun with --break-lock --reason \"...\""
        )


@dataclass(frozen=True)
class SharedLocks:
    """The fleet's lock table: `dynamodb` a client in the tooling account and region."""

    dynamodb: Any
    where: str
    """How the table is named in messages: `in tooling account 123456789012 (us-east-1)`, `in the sandbox`."""
    table: str = LOCK_TABLE

    def acquire(self, tenant_id: str, holder: Holder, *, break_reason: str | None) -> Holder | None:
        """Put this holder's item; LockHeld naming the holder when another has it (unless
        `break_reason`: then take it over, and return the holder whose lock was broken)."""
        item = {"tenant": {"S": tenant_id}, **{k: {"S": str(v)} for k, v in asdict(holder).items()}}
        try:
            self._put(item, "attribute_not_exists(tenant)", {})
            return None
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            current = self.holder(tenant_id)
        if break_reason is None or current is None:
            raise LockHeld(tenant_id, current, self.where)
        broken = {"broke_token": {"S": current.token}, "broke": {"S": current.describe()}, "break_reason": {"S": break_reason}}
        try:  # only the lock just seen: a lock taken meanwhile by someone else is not broken unseen
            self._put({**item, **broken}, "#token = :seen", {":seen": {"S": current.token}})
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            raise LockHeld(tenant_id, self.holder(tenant_id), self.where) from None
        return current

    def holder(self, tenant_id: str) -> Holder | None:
        found = self.dynamodb.get_item(TableName=self.table, Key={"tenant": {"S": tenant_id}}, ConsistentRead=True).get("Item")
        return Holder.parse({k: v.get("S", v.get("N")) for k, v in found.items()}) if found else None

    def release(self, tenant_id: str, holder: Holder) -> None:
        with contextlib.suppress(self.dynamodb.exceptions.ConditionalCheckFailedException):  # broken meanwhile: not ours
            self.dynamodb.delete_item(
                TableName=self.table, Key={"tenant": {"S": tenant_id}}, ConditionExpression="#token = :mine",
                ExpressionAttributeNames={"#token": "token"}, ExpressionAttributeValues={":mine": {"S": holder.token}},
            )

    def _put(self, item: dict[str, Any], condition: str, values: dict[str, Any]) -> None:
        names = {"#token": "token"} if "#token" in condition else {}
        call = {"TableName": self.table, "Item": item, "ConditionExpression": condition}
        call.update({"ExpressionAttributeNames": names} if names else {})
        call.update({"ExpressionAttributeValues": values} if values else {})
        try:
            self.dynamodb.put_item(**call)
        except self.dynamodb.exceptions.ResourceNotFoundException:
            self._create_table()
            self.dynamodb.put_item(**call)

    def _create_table(self) -> None:
        with contextlib.suppress(self.dynamodb.exceptions.ResourceInUseException):  # another operator made it first
            self.dynamodb.create_table(
                TableName=self.table, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "tenant", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "tenant", "KeyType": "HASH"}],
            )
        self.dynamodb.get_waiter("table_exists").wait(TableName=self.table)


def _lock_file(state_dir: Path, tenant_id: str, holder: Holder, break_reason: str | None) -> tuple[Any, Holder | None]:
    """The open, flocked lock file of the tenant, holding `holder`; the broken holder, if any."""
    directory = state_dir / LOCKS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{tenant_id}.lock"
    broken = None
    while True:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read()
            handle.close()
            current = Holder.parse(json.loads(text)) if text.strip() else None
            if break_reason is None or broken is not None:
                raise LockHeld(tenant_id, current, "on this machine") from None
            broken = current
            path.unlink(missing_ok=True)  # the holder keeps its lock on the old file; new arrivals meet ours
            continue
        if not path.exists() or os.fstat(handle.fileno()).st_ino != path.stat().st_ino:  # unlinked between open and flock
            handle.close()
            continue
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(asdict(holder)))
        handle.flush()
        return handle, broken


@contextlib.contextmanager
def tenant_lock(
    tenant_id: str, operation: str, *, state_dir: Path, shared: SharedLocks | None = None, break_reason: str | None = None
) -> Iterator[Holder]:
    """Hold the tenant for `operation` (on this machine, and in the fleet's table when `shared`)
    until the block ends; LockHeld, naming the holder, when another operation has it."""
    if break_reason is not None and not break_reason.strip():
        raise ValueError("--break-lock needs --reason \"...\" (it is recorded)")
    holder = Holder.mine(operation)
    handle, broken_here = _lock_file(state_dir, tenant_id, holder, break_reason)
    try:
        broken_shared = shared.acquire(tenant_id, holder, break_reason=break_reason) if shared else None
        for broken, where in ((broken_here, "this machine"), (broken_shared, shared.where if shared else "")):
            if broken is not None:
                _record_break(state_dir, tenant_id, holder, broken, where, break_reason or "")
        try:
            yield holder
        finally:
            if shared:
                shared.release(tenant_id, holder)
    finally:
        handle.seek(0)
        handle.truncate()
        handle.close()


def _record_break(state_dir: Path, tenant_id: str, by: Holder, broken: Holder | None, where: str, reason: str) -> None:
    entry = {"tenant": tenant_id, "at": by.since, "by": by.describe(), "broke": broken.describe() if broken else None,
             "where": where, "reason": reason}
    with (state_dir / LOCKS_DIR / "broken.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
